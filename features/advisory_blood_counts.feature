Feature: Advisory — blood counts at referral (not the HICARA label)
  ZUMA-1 and JULIET set counts for apheresis: ANC below 1.0 ×10⁹/L, ALC below 0.1 ×10⁹/L,
  platelets below 50 ×10⁹/L (JULIET; ZUMA-1 asked 75) and haemoglobin below 80 g/L (JULIET 8.0
  g/dL) are flagged for review. Counts are kept in ×10⁹/L and haemoglobin in g/L; other units are
  read with their unit, and a number whose unit cannot be told is an error asking for it.

  Background:
    Given a referral with nothing to flag, screened on 2026-10-15

  Scenario Outline: Each count against the trials' floor, in the units labs write
    Given its <field> is <value>
    When it is screened
    Then <rule> is <status>
    And the outcome is no_flags

    Examples:
      | field             | value          | rule                 | status     |
      | anc_x10e9_l       | 0.9            | advisory.neutrophils | flagged    |
      | anc_x10e9_l       | 1.0            | advisory.neutrophils | clear      |
      | anc_x10e9_l       | 900/µL         | advisory.neutrophils | flagged    |
      | anc_x10e9_l       | 1.5 G/L        | advisory.neutrophils | clear      |
      | alc_x10e9_l       | 80/mm³         | advisory.lymphocytes | flagged    |
      | alc_x10e9_l       | 0.1×10^9/L     | advisory.lymphocytes | clear      |
      | platelets_x10e9_l | 20,000/µL      | advisory.platelets   | flagged    |
      | platelets_x10e9_l | 20             | advisory.platelets   | flagged    |
      | platelets_x10e9_l | 150000         | advisory.platelets   | clear      |
      | hemoglobin_g_l    | 79             | advisory.hemoglobin  | flagged    |
      | hemoglobin_g_l    | 7.5 g/dL       | advisory.hemoglobin  | flagged    |
      | hemoglobin_g_l    | 9.5            | advisory.hemoglobin  | clear      |
      | hemoglobin_g_l    | missing        | advisory.hemoglobin  | needs_info |

  Scenario: A converted count shows the conversion in the reason
    Given its platelets_x10e9_l is 20,000/µL
    When it is screened
    Then the advisory.platelets reason mentions "20000 /µL = 20 ×10⁹/L is below 50 ×10⁹/L"

  Scenario Outline: A number whose unit could be either is an error, never a guess
    Given its <field> is <value>
    When it is screened
    Then <rule> is needs_info
    And the error on <field> says "<says>"

    Examples:
      | field          | value | rule                 | says                                      |
      | anc_x10e9_l    | 20    | advisory.neutrophils | could be 20 ×10⁹/L or 20 /µL              |
      | hemoglobin_g_l | 25    | advisory.hemoglobin  | not plausible in any unit                 |
      | alc_x10e9_l    | 5 mg  | advisory.lymphocytes | not a unit of this test                   |
