Feature: Missing and unreadable data is never "fine"
  A missing value is needs_info and the item says which data would resolve it. A value that cannot
  be read is reported (field, value, what is allowed), counts as missing, and the rest of the
  record is still screened.

  Scenario: A referral with only an id needs information on every item
    Given a referral with only a patient id
    When it is screened
    Then every item is needs_info
    And the outcome is needs_info

  Scenario Outline: Each needs-info item names the data that would resolve it
    Given a referral with only a patient id
    When it is screened
    Then the <rule> reason mentions "<field>"

    Examples:
      | rule                          | field                          |
      | indication.adult              | date_of_birth or age_years     |
      | indication.subtype            | diagnosis                      |
      | precaution.cardiac            | lvef_percent                   |
      | precaution.hepatic            | total_bilirubin_x_uln          |
      | precaution.hepatic            | alt_x_uln                      |
      | precaution.icu_facility       | icu_available                  |

  Scenario Outline: An unreadable value is an error on its field and the rest is still screened
    Given a referral with nothing to flag, screened on 2026-10-15
    And its <field> is <value>
    When it is screened
    Then there is 1 error on <field>
    And the error on <field> says "<allowed>"
    And <rule> is needs_info
    And the <rule> reason mentions "could not be read"
    And 11 items are clear

    Examples:
      | field                | value      | rule                       | allowed                   |
      | lvef_percent         | abc        | precaution.cardiac         | a number from 5 to 95     |
      | date_of_birth        | 15/03/1960 | indication.adult           | YYYY-MM-DD                |
      | date_of_birth        | 1960-02-30 | indication.adult           | not a real calendar date  |
      | diagnosis            | lymphoma X | indication.subtype         | not a known lymphoma subtype |
      | prior_systemic_lines | R-CHOP, R-ICE | indication.prior_lines  | a list, not a count       |
      | icu_available        | perhaps    | precaution.icu_facility    | 是/否                      |

  Scenario: A referral without a patient id cannot be screened at all
    Given a referral with nothing to flag, screened on 2026-10-15
    And its patient_id is missing
    When it is screened
    Then the outcome is error
    And there is 1 error on patient_id

  Scenario: A field the form does not know is reported, not silently dropped
    Given a referral with nothing to flag, screened on 2026-10-15
    And its lvef is 35
    When it is screened
    Then there is 1 error on lvef
    And the outcome is no_flags
