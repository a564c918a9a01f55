Feature: Advisory — performance status (not the HICARA label)
  HICARA's label says nothing about performance status; every pivotal trial did. JULIET required
  ECOG 0–1, TRANSCEND NHL 001 allowed up to 2, no trial took ECOG 3 or more, and the 2022 Chinese
  expert consensus counts ECOG ≥ 3 as high risk. These checks advise the physician, in a section of
  their own: they never change the outcome, which the label's rules alone decide.

  Background:
    Given a referral with nothing to flag, screened on 2026-10-15

  Scenario: A patient with no label flags and ECOG 3 is still no_flags, with an advisory flag
    Given its ecog_ps is 3
    When it is screened
    Then the outcome is no_flags
    And advisory.performance_status is flagged
    And advisory.performance_status_poor is flagged
    And every advisory check stands apart from the label's items
    And the checklist shows the advisory section "not part of the HICARA label — from the pivotal trials, for the physician" after the label's items

  Scenario Outline: ECOG 2 advises review, ECOG 3 or more strongly
    Given its ecog_ps is <ecog>
    When it is screened
    Then advisory.performance_status is <review>
    And advisory.performance_status_poor is <strongly>
    And the outcome is no_flags

    Examples:
      | ecog    | review     | strongly   |
      | 0       | clear      | clear      |
      | 1       | clear      | clear      |
      | 2       | flagged    | clear      |
      | ECOG 3  | flagged    | flagged    |
      | 4分     | flagged    | flagged    |
      | missing | needs_info | needs_info |

  Scenario: An ECOG written as a range is an error that counts as missing, never a guess
    Given its ecog_ps is 2-3
    When it is screened
    Then advisory.performance_status is needs_info
    And the error on ecog_ps says "a range, not one value"
    And the outcome is no_flags

  Scenario: A label flag still decides the outcome, whatever the advisory checks say
    Given its ecog_ps is 1
    And its prior_systemic_lines is 1
    When it is screened
    Then the outcome is flagged
    And advisory.performance_status is clear
