Feature: NYHA and Child-Pugh classes as referrals write them
  A NYHA class is written with or without its name and grade word ("NYHA II", "III级", "心功能II级"),
  as a Roman numeral sign (Ⅲ), an Arabic digit or a Chinese number word. A Child-Pugh class may
  carry its name ("Child-Pugh B"); a Child-Pugh score of 5–15 written as a score ("8分",
  "Child-Pugh 10") is read as its class, and the checklist says so ("score 8 = class B"). Two
  classes, or a score that does not exist, are errors.

  Scenario Outline: A NYHA class reads as I–IV
    When the referral writes nyha_class as "<written>"
    Then it reads as <class>

    Examples: English
      | written        | class |
      | NYHA II        | II    |
      | NYHA class III | III   |
      | class II       | II    |
      | 3              | III   |
      | iv             | IV    |

    Examples: Chinese, Roman numeral signs and full-width
      | written       | class |
      | III级         | III   |
      | 心功能II级    | II    |
      | 心功能Ⅲ级     | III   |
      | NYHA心功能II级 | II    |
      | 二级          | II    |
      | 心功能一级    | I     |
      | Ⅲ             | III   |
      | Ⅳ             | IV    |
      | ＩＩＩ        | III   |

  Scenario Outline: A class that does not exist, or two classes, is an error
    When the referral writes nyha_class as "<written>"
    Then it is refused: "<says>"
    And in Chinese the refusal says "<中文>"

    Examples:
      | written | says                                | 中文              |
      | V       | expected one of I, II, III, IV      | 应为：以下之一    |
      | 0       | expected one of I, II, III, IV      | 应为：以下之一    |
      | II-III  | names more than one value (II or III) | 包含多个        |
      | Ⅱ-Ⅲ级   | names more than one value (II or III) | 包含多个        |
      | III/IV  | names more than one value (III or IV) | 包含多个        |

  Scenario Outline: A Child-Pugh class reads as A, B or C
    When the referral writes child_pugh_class as "<written>"
    Then it reads as <class>

    Examples:
      | written            | class |
      | Child-Pugh B       | B     |
      | child pugh c       | C     |
      | Child-Pugh class B | B     |
      | CTP A              | A     |
      | Child-Pugh A级     | A     |
      | B级                | B     |
      | Ｂ                 | B     |

  Scenario Outline: A Child-Pugh score reads as its class and says so
    When the referral writes child_pugh_class as "<written>"
    Then it reads as <class>
    And it shows how it was read: "Child-Pugh score <score> = class <class>"
    And in Chinese it shows "Child-Pugh 评分 <score> 分 = <class> 级"

    Examples:
      | written            | score | class |
      | 8分                | 8     | B     |
      | Child-Pugh 10      | 10    | C     |
      | Child-Pugh 5       | 5     | A     |
      | 6分                | 6     | A     |
      | Child-Pugh score 9 | 9     | B     |
      | 9 points           | 9     | B     |
      | Child-Pugh评分 12分 | 12    | C     |
      | Child-Pugh 7分     | 7     | B     |

  Scenario Outline: A score outside 5–15, or two classes, is an error
    When the referral writes child_pugh_class as "<written>"
    Then it is refused: "<says>"

    Examples:
      | written | says                                                          |
      | 4分     | a Child-Pugh score of 4 does not exist — scores are A 5–6, B 7–9, C 10–15 |
      | 16分    | a Child-Pugh score of 16 does not exist                       |
      | D       | expected one of A, B, C                                       |
      | B-C     | names more than one value (B or C)                            |

  Scenario Outline: A comparison sign in any of its forms is a bound, never the class named
    A Chinese keyboard types the full-width "＞"; "‹", "〈", "≈" and "~" are signs too. Matching
    sets marks aside, so a sign must be refused before it: otherwise "NYHA ＞II" would read as II.

    When the referral writes <field> as "<written>"
    Then it is refused: "a bound, not a measured value"
    And in Chinese the refusal says "这是上下限而非测得值"

    Examples:
      | field            | written        |
      | nyha_class       | ＞II           |
      | nyha_class       | 心功能＞II级   |
      | nyha_class       | NYHA ＞II      |
      | nyha_class       | ＞2            |
      | nyha_class       | ＞二级         |
      | nyha_class       | ﹥III          |
      | nyha_class       | ‹III           |
      | nyha_class       | 〈II           |
      | nyha_class       | ≈II            |
      | nyha_class       | ≪IV            |
      | child_pugh_class | ＞B            |
      | child_pugh_class | Child-Pugh ＞B |
      | child_pugh_class | ≥B             |

  Scenario Outline: Any other mark no spelling holds makes the value unreadable, never dropped
    When the referral writes <field> as "<written>"
    Then it is refused: "holds '<mark>', which is no part of a value: record the value without it"
    And in Chinese the refusal says "含有符号“<mark>”"

    Examples:
      | field            | written | mark |
      | nyha_class       | ↑III    | ↑    |
      | nyha_class       | III↓    | ↓    |
      | nyha_class       | III*    | *    |
      | nyha_class       | §III    | §    |
      | nyha_class       | #3      | #    |
      | child_pugh_class | C*      | *    |

  Scenario Outline: Roman numeral signs run together are two classes, never one
    When the referral writes nyha_class as "<written>"
    Then it is refused: "<says>"

    Examples:
      | written | says                                 |
      | ⅠⅠ      | names more than one value (I or I)   |
      | ⅡⅠ      | names more than one value (II or I)  |
      | ⅢⅠ      | names more than one value (III or I) |

  Scenario Outline: The class read is the one the checklist judges, with how it was read
    Given a referral with nothing to flag, screened on 2026-10-15
    And its <field> is <written>
    When it is screened
    Then <rule> is <status>
    And the <rule> reason mentions "<shown>"

    Examples:
      | field            | written       | rule               | status  | shown                                            |
      | child_pugh_class | Child-Pugh 10 | precaution.hepatic | flagged | Child-Pugh class: C (Child-Pugh score 10 = class C) |
      | child_pugh_class | 8分           | precaution.hepatic | clear   | Child-Pugh class: B (Child-Pugh score 8 = class B)  |
      | nyha_class       | 心功能Ⅲ级     | precaution.cardiac | flagged | NYHA class: III                                  |
      | nyha_class       | NYHA II       | precaution.cardiac | clear   | LVEF 58 %                                        |
