Feature: The screening log — every screening kept, what changed, and the physician's decision
  A referral is screened several times: first with half the data, again when the echo comes
  back, and then the physician decides. The log keeps each screening whole, says what changed
  between them, records the decision against the screening it was made on, and exports it all.
  It runs the same on a SQLite file and on a PostgreSQL database.

  Scenario: First screen needs info, the re-screen is flagged, the physician asks for more
    Given a screening log
    And the referral R-0042 with no echo result yet
    When the coordinator screens it with the log
    Then the log holds 1 screening of R-0042 with outcome needs_info
    When the echo comes back with an LVEF of 35
    And the coordinator screens it with the log
    Then the log holds 2 screenings of R-0042, the latest with outcome flagged
    And the diff reads "precaution.cardiac: needs info → flagged (lvef_percent: — → 35)"
    When the physician Dr Wang decides more_info with the note "repeat echo in 4 weeks"
    Then the decision is recorded against screening 2
    And the worklist shows R-0042 as flagged with the decision more_info
    And the export holds 2 screenings and 1 decision
