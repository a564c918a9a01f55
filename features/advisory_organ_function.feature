Feature: Advisory — organ function below "severe" (not the HICARA label)
  The label flags only severe impairment (precaution.cardiac, precaution.hepatic). The trials set
  stricter floors: creatinine clearance 60 mL/min (ZUMA-1, JULIET; fludarabine dose reduction,
  EBMT) and 30 (TRANSCEND NHL 001), SpO₂ 92 % on room air (ZUMA-1, EBMT), LVEF 50 % (ZUMA-1; JULIET
  45, TRANSCEND 40), ALT or AST 2.5×ULN (ZUMA-1).

  Background:
    Given a referral with nothing to flag, screened on 2026-10-15

  Scenario Outline: Each threshold as the trials set it
    Given its <field> is <value>
    When it is screened
    Then <rule> is <status>

    Examples:
      | field        | value     | rule                   | status  |
      | crcl_ml_min  | 59        | advisory.renal         | flagged |
      | crcl_ml_min  | 60 mL/min | advisory.renal         | clear   |
      | crcl_ml_min  | 29        | advisory.renal_severe  | flagged |
      | crcl_ml_min  | 30        | advisory.renal_severe  | clear   |
      | spo2_percent | 91 %      | advisory.oxygen        | flagged |
      | spo2_percent | SpO2 92%  | advisory.oxygen        | clear   |
      | lvef_percent | 45        | advisory.lvef          | flagged |
      | lvef_percent | 50        | advisory.lvef          | clear   |
      | alt_x_uln    | 2.6       | advisory.transaminases | flagged |
      | alt_x_uln    | 2.5       | advisory.transaminases | clear   |

  Scenario: An LVEF of 45 % is an advisory flag, not a label flag
    Given its lvef_percent is 45
    When it is screened
    Then precaution.cardiac is clear
    And advisory.lvef is flagged
    And the outcome is no_flags

  Scenario: An SpO₂ written as a fraction is an error asking for the percentage
    Given its spo2_percent is 0.95
    When it is screened
    Then advisory.oxygen is needs_info
    And the error on spo2_percent says "record the percentage on room air"
