Feature: Advisory — prior therapy and the disease to treat (not the HICARA label)
  The label asks for two or more lines. The trials asked more: JULIET, RELIANCE and NCT05436223
  required a prior anti-CD20 antibody and an anthracycline; JULIET a relapse confirmed by biopsy
  and measurable disease; Chinese CD19 CAR-T trials excluded a prior CAR-T, and after any
  CD19-directed therapy CD19 must be shown again on a re-biopsy.

  Background:
    Given a referral with nothing to flag, screened on 2026-10-15

  Scenario Outline: Prior CD19-directed therapy asks for CD19 on a re-biopsy
    Given its prior_cd19_therapy is <answer>
    When it is screened
    Then advisory.prior_cd19_therapy is <status>
    And the outcome is no_flags

    Examples:
      | answer  | status     |
      | yes     | flagged    |
      | 是      | flagged    |
      | no      | clear      |
      | missing | needs_info |

  Scenario: The re-biopsy is what the flag asks for
    Given its prior_cd19_therapy is yes
    When it is screened
    Then the advisory.prior_cd19_therapy note says "show CD19 on a re-biopsy before apheresis"

  Scenario Outline: An anti-CD20 antibody and an anthracycline, as the trials required
    Given its prior_anti_cd20 is <anti_cd20>
    And its prior_anthracycline is <anthracycline>
    When it is screened
    Then advisory.prior_anti_cd20_anthracycline is <status>

    Examples:
      | anti_cd20 | anthracycline | status     |
      | yes       | yes           | clear      |
      | yes       | no            | flagged    |
      | no        | missing       | flagged    |
      | yes       | missing       | needs_info |

  Scenario Outline: A relapse confirmed by biopsy, and measurable (PET-positive) disease
    Given its relapse_biopsy_confirmed is <biopsy>
    And its measurable_disease is <measurable>
    When it is screened
    Then advisory.relapse_biopsy is <biopsy_status>
    And advisory.measurable_disease is <measurable_status>
    And the outcome is no_flags

    Examples:
      | biopsy  | measurable | biopsy_status | measurable_status |
      | yes     | yes        | clear         | clear             |
      | no      | no         | flagged       | flagged           |
      | missing | 否         | needs_info    | flagged           |
