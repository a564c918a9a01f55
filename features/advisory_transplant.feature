Feature: Advisory — after an allogeneic stem-cell transplant (not the HICARA label)
  ASH "How I treat": apheresis at least 100–120 days after HSCT, immunosuppression stopped at
  least 4 weeks, no GVHD; EBMT: active acute grade II–IV or extensive chronic GVHD excludes.
  TRANSCEND NHL 001 treated patients after allo-HSCT. Without a transplant, nothing more is asked.

  Background:
    Given a referral with nothing to flag, screened on 2026-10-15

  Scenario Outline: Days since transplant, GVHD and immunosuppression for it
    Given its prior_allo_hsct is <allo>
    And its allo_hsct_days is <days>
    And its active_gvhd is <gvhd>
    And its gvhd_immunosuppression is <immunosuppression>
    When it is screened
    Then advisory.allo_hsct is <status>
    And the outcome is no_flags

    Examples:
      | allo    | days    | gvhd    | immunosuppression | status     |
      | no      | missing | missing | missing           | clear      |
      | yes     | 99      | missing | missing           | flagged    |
      | yes     | 100     | no      | no                | clear      |
      | yes     | 200     | yes     | no                | flagged    |
      | yes     | 200     | no      | yes               | flagged    |
      | yes     | 200     | missing | no                | needs_info |
      | missing | missing | missing | missing           | needs_info |

  Scenario Outline: Transplant answers that disagree are flagged, never hidden behind a "no"
    Given its prior_allo_hsct is <allo>
    And its allo_hsct_days is <days>
    And its active_gvhd is <gvhd>
    When it is screened
    Then advisory.allo_hsct_answers is <status>
    And the outcome is no_flags

    Examples:
      | allo    | days    | gvhd    | status     |
      | no      | missing | missing | clear      |
      | no      | 50      | missing | flagged    |
      | no      | missing | yes     | flagged    |
      | yes     | 50      | yes     | clear      |
      | missing | missing | missing | clear      |
