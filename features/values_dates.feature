Feature: Dates as referrals write them
  A date is read year first: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD (months and days may have one digit),
  YYYYMMDD, or 1965年3月14日, in half- or full-width digits. A day-first or month-first date such as
  03/04/1965 could be 3 April or 4 March: it is an error, never a guess. A date that is not on the
  calendar is an error too.

  Scenario Outline: A year-first date reads as that day
    When the referral writes <field> as "<written>"
    Then it reads as <day>

    Examples: Date of birth
      | field         | written             | day        |
      | date_of_birth | 1965-03-14          | 1965-03-14 |
      | date_of_birth | 1965/03/14          | 1965-03-14 |
      | date_of_birth | 1965.3.14           | 1965-03-14 |
      | date_of_birth | 1965-3-14           | 1965-03-14 |
      | date_of_birth | 19650314            | 1965-03-14 |
      | date_of_birth | 1965-03-14 00:00:00 | 1965-03-14 |

    Examples: Chinese and full-width
      | field          | written              | day        |
      | date_of_birth  | 1965年3月14日        | 1965-03-14 |
      | date_of_birth  | 1965年03月14日       | 1965-03-14 |
      | date_of_birth  | １９６５年３月１４日 | 1965-03-14 |
      | date_of_birth  | １９６５－０３－１４ | 1965-03-14 |
      | screening_date | 2026年1月5日         | 2026-01-05 |

  Scenario Outline: A day-first or month-first date is an error
    When the referral writes <field> as "<written>"
    Then it is refused: "<says>"
    And in Chinese the refusal says "<zh>"

    Examples:
      | field          | written    | says                                    | zh             |
      | date_of_birth  | 03/04/1965 | day and month could be either way round | 日与月的先后无法确定 |
      | screening_date | 05/01/2026 | day and month could be either way round | 日与月的先后无法确定 |
      | date_of_birth  | 14/03/1965 | day first or month first                | 日或月在前       |
      | date_of_birth  | 3/14/1965  | day first or month first                | 日或月在前       |
      | date_of_birth  | 14.03.1965 | day first or month first                | 日或月在前       |

  Scenario Outline: A date not on the calendar is an error
    When the referral writes date_of_birth as "<written>"
    Then it is refused: "<says>"

    Examples:
      | written        | says                                     |
      | 1965-02-30     | not a real calendar date                 |
      | 1965-13-01     | not a real calendar date                 |
      | 1899-12-31     | not a plausible date                     |
      | March 14, 1965 | expected a calendar date, year first     |

  Scenario Outline: The date of birth read gives the age on the screening date
    Given a referral with nothing to flag, screened on <screened>
    And its date_of_birth is <born>
    When it is screened
    Then the screening date is <day>
    And the indication.adult reason mentions "Age <age> years"

    Examples:
      | screened      | born           | day        | age |
      | 2026-03-13    | 1965年3月14日  | 2026-03-13 | 60  |
      | 2026-03-14    | 1965年3月14日  | 2026-03-14 | 61  |
      | 2026年3月14日 | 1965.3.14      | 2026-03-14 | 61  |
      | 20260314      | 2008/03/15     | 2026-03-14 | 17  |

  Scenario Outline: A date of birth giving an age outside the plausible range is an error
    An age worked out from a date of birth is held to the range age_years is (0–120 years): a
    date cell of 1900-02-28 is no patient of 126. The date counts as missing.

    Given a referral with nothing to flag, screened on 2026-11-29
    And its age_years is missing
    And its date_of_birth is <born>
    When it is screened
    Then indication.adult is needs_info
    And there is 1 error on date_of_birth
    And the error on date_of_birth says "gives an age of <age> years at the screening date 2026-11-29, outside the plausible 0–120 years"
    And the indication.adult reason mentions "Date of birth (date_of_birth) could not be read: '<born>'"

    Examples:
      | born       | age |
      | 1900-02-28 | 126 |
      | 1905-11-28 | 121 |

