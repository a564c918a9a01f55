Feature: Disease status as referrals write it
  The label covers relapsed or refractory disease. Referrals write the course of the disease in
  many ways: "primary refractory" / 原发难治, 复发, "r/r" / 复发难治 (both forms, which the label
  covers: read as relapsed_or_refractory), CR / 完全缓解, 初治. A response (PR, SD, PD) is not the
  course of the disease: it is an error asking whether it relapsed or is refractory. "unknown",
  不详 or N/A mean not recorded: the field is missing, which needs info, and is not an error.

  Scenario Outline: The course of the disease reads as its status
    When the referral writes disease_status as "<written>"
    Then it reads as <status>

    Examples: English
      | written                | status                 |
      | relapsed               | relapsed               |
      | recurrent              | relapsed               |
      | primary refractory     | refractory             |
      | chemorefractory        | refractory             |
      | r/r                    | relapsed_or_refractory |
      | R/R                    | relapsed_or_refractory |
      | relapsed/refractory    | relapsed_or_refractory |
      | CR                     | remission              |
      | complete remission     | remission              |
      | newly diagnosed        | untreated              |

    Examples: Chinese and full-width
      | written   | status                 |
      | 复发      | relapsed               |
      | 原发难治  | refractory             |
      | 难治性    | refractory             |
      | 复发难治  | relapsed_or_refractory |
      | 复发/难治 | relapsed_or_refractory |
      | 完全缓解  | remission              |
      | ＣＲ      | remission              |
      | 初治      | untreated              |

  Scenario Outline: A response is not the course of the disease
    When the referral writes disease_status as "<written>"
    Then it is refused: "a response, not the course of the disease"
    And in Chinese the refusal says "这是疗效评价，不是病程"

    Examples:
      | written             |
      | PR                  |
      | partial response    |
      | SD                  |
      | progressive disease |
      | 部分缓解            |
      | 疾病稳定            |
      | 疾病进展            |

  Scenario Outline: "Not known" is not recorded, not an error
    When the referral writes disease_status as "<written>"
    Then it is read as not recorded, with no error

    Examples:
      | written   |
      | unknown   |
      | not known |
      | N/A       |
      | 不详      |
      | 未知      |

  Scenario Outline: The status read decides the relapsed-or-refractory criterion
    Given a referral with nothing to flag, screened on 2026-10-15
    And its disease_status is <written>
    When it is screened
    Then indication.relapsed_refractory is <status>
    And there is <errors> error on disease_status

    Examples:
      | written  | status     | errors |
      | 复发难治 | clear      | 0      |
      | r/r      | clear      | 0      |
      | 原发难治 | clear      | 0      |
      | CR       | flagged    | 0      |
      | 初治     | flagged    | 0      |
      | 不详     | needs_info | 0      |
      | PR       | needs_info | 1      |
