Feature: Numbers as referrals write them — LVEF
  An LVEF is written bare, with its name ("LVEF 35%", "射血分数 35%"), with its sign ("35 %") or in
  full-width digits (３５％). A value outside the plausible 5–95 % is an error naming that range:
  an LVEF of 0.55 is a fraction or a typo, and the coordinator is asked, never corrected. A range,
  a bound or a decimal comma is not one measured value.

  Scenario Outline: An LVEF written with its name or sign reads as a percentage
    When the referral writes lvef_percent as "<written>"
    Then it reads as <lvef>

    Examples: English
      | written   | lvef |
      | LVEF 35%  | 35   |
      | 35 %      | 35   |
      | 35%       | 35   |
      | LVEF: 35% | 35   |
      | EF 55%    | 55   |
      | 62.5      | 62.5 |

    Examples: Chinese and full-width
      | written             | lvef |
      | ３５％              | 35   |
      | ＬＶＥＦ ３５％     | 35   |
      | 射血分数 35%        | 35   |
      | 左室射血分数55%     | 55   |
      | 左心室射血分数：60% | 60   |

  Scenario Outline: A value outside the plausible range is an error naming the range
    When the referral writes lvef_percent as "<written>"
    Then it is refused: "<written> is outside the plausible range"
    And it is refused: "expected a number from 5 to 95"
    And in Chinese the refusal says "5 至 95 之间的数值"

    Examples:
      | written |
      | 0.55    |
      | 0.35    |
      | 3       |
      | 101     |

  Scenario: An LVEF of 0.55 is asked about, never converted
    When the referral writes lvef_percent as "0.55"
    Then it is refused: "an LVEF this low is a fraction written for a percentage, or a typo: check the report and record the percentage"
    And in Chinese the refusal says "请核对报告并记录百分数"

  Scenario Outline: A range, a bound or a decimal comma is not one measured value
    When the referral writes lvef_percent as "<written>"
    Then it is refused: "<says>"
    And in Chinese the refusal says "<中文>"

    Examples:
      | written | says                                | 中文                   |
      | 55-60%  | a range, not one value              | 这是范围而非单个数值   |
      | 55~60%  | a range, not one value              | 这是范围而非单个数值   |
      | >55%    | a bound, not a measured value       | 这是上下限而非测得值   |
      | ≥50%    | a bound, not a measured value       | 这是上下限而非测得值   |
      | 55,5    | a comma could be a decimal point    | 逗号可能是小数         |
      | abc     | not a number                        | 不是数值               |
      | 正常    | not a number                        | 不是数值               |
      | NaN     | not a finite number                 | 不是有限数值           |

  Scenario Outline: A number with more digits than can be compared is refused, never rounded
    A double holds 15 significant digits: "39.9999999999999999999" would read as 40 and cross
    LVEF's threshold. Leading zeros and a decimal's trailing zeros do not count.

    When the referral writes <field> as "<written>"
    Then it is refused: "more digits than can be compared: record it as the report gives it"
    And in Chinese the refusal says "位数多于可比较的精度"

    Examples:
      | field                 | written                         |
      | lvef_percent          | 39.9999999999999999999          |
      | lvef_percent          | LVEF 39.99999999999999%         |
      | total_bilirubin_x_uln | 2.9999999999999999              |
      | total_bilirubin_x_uln | 61.500000000000001 µmol/L (ULN 20.5) |
      | prior_systemic_lines  | 1.9999999999999999999           |

  Scenario Outline: Up to 15 significant digits are read as written
    When the referral writes <field> as "<written>"
    Then it reads as <value>

    Examples:
      | field        | written                   | value          |
      | lvef_percent | 39.5000000000000          | 39.5           |
      | lvef_percent | 40.000000000000000000     | 40             |
      | lvef_percent | 0035.5                    | 35.5           |

  Scenario Outline: The LVEF read is the one the checklist judges
    Given a referral with nothing to flag, screened on 2026-10-15
    And its lvef_percent is <written>
    When it is screened
    Then precaution.cardiac is <status>
    And the precaution.cardiac reason mentions "<shown>"

    Examples:
      | written  | status     | shown                      |
      | LVEF 35% | flagged    | LVEF 35 % is below 40 %    |
      | 39.99999999999 | flagged | LVEF 39.99999999999 % is below 40 % |
      | 40.0000001 | clear    | LVEF 40.0000001 % is not below 40 % |
      | ３５％   | flagged    | LVEF 35 % is below 40 %    |
      | EF 55%   | clear      | LVEF 55 % is not below 40 % |
      | 0.55     | needs_info | could not be read: '0.55'  |
      | 未查     | needs_info | LVEF not recorded          |
