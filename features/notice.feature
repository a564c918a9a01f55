Feature: Every result carries the physician-decides notice and the ruleset fingerprint
  A result is a pre-screening aid, never an eligibility decision, and can be traced to the exact
  rule files that produced it.

  Scenario Outline: The notice and the fingerprint are in every output form
    Given a referral with nothing to flag, screened on 2026-10-15
    And its prior_systemic_lines is <lines>
    When the coordinator checks it <how>
    Then the output carries the notice
    And the output carries the ruleset fingerprint
    And the output never says "eligible"

    Examples:
      | lines | how          |
      | 3     | as text      |
      | 1     | as text      |
      | 3     | as JSON      |
      | two   | as JSON      |

  Scenario: The fingerprint changes when a threshold is edited
    Given a copy of the HICARA rules with the LVEF threshold changed from 40 to 45
    When both rulesets are loaded
    Then their fingerprints differ
    And a referral with LVEF 42 is clear under the first and flagged under the second
