Feature: Advisory — viral infections and CNS disease (not the HICARA label)
  EBMT: latent HBV, HCV and HIV need antiviral prophylaxis or treatment and, for some products, are
  a manufacturing contraindication: positive or unknown is for review. Active secondary CNS
  lymphoma is weighed by the physician (primary CNS lymphoma is off-label already).

  Background:
    Given a referral with nothing to flag, screened on 2026-10-15

  Scenario Outline: Hepatitis B: HBsAg, anti-HBc and, where tested, HBV DNA
    Given its hbsag is <hbsag>
    And its anti_hbc is <anti_hbc>
    And its hbv_dna is <hbv_dna>
    When it is screened
    Then advisory.hepatitis_b is <status>
    And the outcome is no_flags

    Examples:
      | hbsag    | anti_hbc | hbv_dna      | status     |
      | negative | negative | missing      | clear      |
      | 阳性     | 阴性     | missing      | flagged    |
      | neg      | pos      | missing      | flagged    |
      | negative | negative | detected     | flagged    |
      | negative | missing  | undetectable | needs_info |

  Scenario: A positive hepatitis B test says what to do
    Given its hbsag is positive
    And its anti_hbc is negative
    When it is screened
    Then the advisory.hepatitis_b note says "ask the manufacturer whether it accepts the apheresis material"

  Scenario Outline: HCV RNA and HIV
    Given its hcv_rna is <hcv>
    And its hiv is <hiv>
    When it is screened
    Then advisory.hepatitis_c is <hcv_status>
    And advisory.hiv is <hiv_status>

    Examples:
      | hcv      | hiv      | hcv_status | hiv_status |
      | negative | negative | clear      | clear      |
      | positive | 阳性     | flagged    | flagged    |
      | missing  | missing  | needs_info | needs_info |

  Scenario: A viral load written as a bound is not read as negative
    Given its hbv_dna is < 20 IU/mL
    When it is screened
    Then there is 1 error on hbv_dna

  Scenario Outline: CNS involvement
    Given its cns_involvement is <cns>
    When it is screened
    Then advisory.cns_involvement is <status>

    Examples:
      | cns     | status     |
      | active  | flagged    |
      | 活动性  | flagged    |
      | history | clear      |
      | none    | clear      |
      | missing | needs_info |

  Scenario: "Yes" for CNS involvement asks whether it is active
    Given its cns_involvement is yes
    When it is screened
    Then advisory.cns_involvement is needs_info
    And the error on cns_involvement says "active now or history only"
