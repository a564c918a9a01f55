Feature: Contraindications — hypersensitivity to components, active uncontrolled infection
  The label: "Contraindications: hypersensitivity to components; active uncontrolled infections".

  Background:
    Given a referral with nothing to flag, screened on 2026-10-15

  Scenario Outline: Known hypersensitivity to a product component (e.g. DMSO, dextran 40, human albumin)
    Given its hypersensitivity_to_components is <answer>
    When it is screened
    Then contraindication.hypersensitivity is <status>

    Examples: yes/no in English, Chinese, and as true/false or 1/0
      | answer  | status     |
      | yes     | flagged    |
      | Y       | flagged    |
      | TRUE    | flagged    |
      | 1       | flagged    |
      | 是      | flagged    |
      | no      | clear      |
      | n       | clear      |
      | false   | clear      |
      | 0       | clear      |
      | 否      | clear      |
      | missing | needs_info |
      | maybe   | needs_info |

  Scenario Outline: Active uncontrolled infection
    Given its active_infection is <infection>
    When it is screened
    Then contraindication.uncontrolled_infection is <status>

    Examples:
      | infection    | status     |
      | uncontrolled | flagged    |
      | Uncontrolled | flagged    |
      | controlled   | clear      |
      | none         | clear      |
      | missing      | needs_info |
      | yes          | needs_info |
