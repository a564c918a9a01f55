Feature: Counts as referrals write them — prior lines of therapy and age
  A count is written with its word ("3 lines", "3线"), in words ("two", "三线", "两线") or
  with full-width digits. A list of regimens ("R-CHOP, R-ICE") is not a count: it is an error
  asking for the number of lines, never a count of the commas. Age may carry its unit ("45岁",
  "45 years").

  Scenario Outline: Prior lines written with a word or in words read as a number
    When the referral writes prior_systemic_lines as "<written>"
    Then it reads as <lines>

    Examples: English
      | written            | lines |
      | 3                  | 3     |
      | 3 lines            | 3     |
      | 3 lines of therapy | 3     |
      | prior 3 lines      | 3     |
      | two                | 2     |
      | Two lines          | 2     |

    Examples: Chinese and full-width
      | written      | lines |
      | 3线          | 3     |
      | 三线         | 3     |
      | 两线         | 2     |
      | 既往三线治疗 | 3     |
      | ４线         | 4     |

  Scenario Outline: A value that is not one count is an error saying why
    When the referral writes prior_systemic_lines as "<written>"
    Then it is refused: "<says>"
    And in Chinese the refusal says "<中文>"

    Examples:
      | written                | says                                   | 中文                   |
      | R-CHOP, R-ICE          | a list, not a count                    | 这是方案列表而非线数   |
      | R-CHOP → R-ICE → ASCT  | a list, not a count                    | 这是方案列表而非线数   |
      | R-CHOP、R-DHAP         | a list, not a count                    | 这是方案列表而非线数   |
      | 2-3                    | a range, not one value                 | 这是范围而非单个数值   |
      | ≥3                     | a bound, not a measured value          | 这是上下限而非测得值   |
      | 2.5                    | not a whole number                     | 不是整数               |
      | 25                     | 25 is outside the plausible range      | 0 至 20 之间的整数     |

  Scenario Outline: A sign before a count in words is a bound; a stray mark is refused
    When the referral writes <field> as "<written>"
    Then it is refused: "<says>"

    Examples:
      | field                | written | says                                          |
      | prior_systemic_lines | ‹两线   | a bound, not a measured value                 |
      | prior_systemic_lines | < two   | a bound, not a measured value                 |
      | prior_systemic_lines | ≥两线   | a bound, not a measured value                 |
      | prior_systemic_lines | ≦二     | a bound, not a measured value                 |
      | prior_systemic_lines | ~两线   | a bound, not a measured value                 |
      | prior_systemic_lines | ‹三线   | a bound, not a measured value                 |
      | prior_systemic_lines | ‹ 三    | a bound, not a measured value                 |
      | prior_systemic_lines | 2~3     | a range, not one value                        |
      | prior_systemic_lines | #3      | holds '#', which is no part of a value        |
      | ecog_ps              | ＞2     | a bound, not a measured value                 |
      | ecog_ps              | 1*      | holds '*', which is no part of a value        |
      | age_years            | ~50     | a bound, not a measured value                 |

  Scenario Outline: Age written with its unit reads as years
    When the referral writes age_years as "<written>"
    Then it reads as <years>

    Examples:
      | written      | years |
      | 45           | 45    |
      | 45 years     | 45    |
      | 45 years old | 45    |
      | 45 yrs       | 45    |
      | 45岁         | 45    |
      | 45周岁       | 45    |
      | ４５岁       | 45    |

  Scenario Outline: The count read is the one the checklist judges
    Given a referral with nothing to flag, screened on 2026-10-15
    And its <field> is <written>
    And its date_of_birth is missing
    When it is screened
    Then <rule> is <status>
    And the <rule> reason mentions "<shown>"

    Examples:
      | field                | written       | rule                   | status     | shown                    |
      | prior_systemic_lines | 三线          | indication.prior_lines | clear      | Prior systemic lines 3   |
      | prior_systemic_lines | one line      | indication.prior_lines | flagged    | Prior systemic lines 1   |
      | prior_systemic_lines | R-CHOP, R-ICE | indication.prior_lines | needs_info | could not be read        |
      | age_years            | 17岁          | indication.adult       | flagged    | Age 17 years is below 18 |
      | age_years            | 45 years      | indication.adult       | clear      | Age 45 years             |
