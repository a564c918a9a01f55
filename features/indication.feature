Feature: Indication — adults with relapsed or refractory LBCL after two or more lines
  The label: "approved for the treatment of adult patients with relapsed or refractory large B-cell
  lymphoma (r/r LBCL) after two or more lines of systemic therapy", in four subtypes.
  Every other item of the referral is clear, so only the criterion under test can change.

  Background:
    Given a referral with nothing to flag, screened on 2026-10-15

  Scenario Outline: Age is counted in completed years at the screening date
    Given its date_of_birth is <born>
    And its screening_date is <screened>
    When it is screened
    Then indication.adult is <status>

    Examples: the 18th birthday, the day before, and leap-day births
      | born       | screened   | status  |
      | 2008-10-15 | 2026-10-15 | clear   |
      | 2008-10-16 | 2026-10-15 | flagged |
      | 1940-01-01 | 2026-10-15 | clear   |
      | 2000-02-29 | 2018-02-28 | flagged |
      | 2000-02-29 | 2018-03-01 | clear   |
      | 2008-02-29 | 2026-02-28 | flagged |
      | 2008-02-29 | 2026-03-01 | clear   |

  Scenario Outline: Age in years is used when there is no date of birth
    Given its date_of_birth is missing
    And its age_years is <age>
    When it is screened
    Then indication.adult is <status>

    Examples:
      | age     | status     |
      | 17      | flagged    |
      | 18      | clear      |
      | 120     | clear      |
      | missing | needs_info |
      | 121     | needs_info |
      | eighty  | needs_info |

  Scenario Outline: A date of birth and an age that disagree by more than a year are an error
    Given its date_of_birth is 1970-06-01
    And its age_years is <age>
    When it is screened
    Then indication.adult is <status>
    And there is <count> error on age_years

    Examples:
      | age | status     | count |
      | 56  | clear      | 0     |
      | 55  | clear      | 0     |
      | 57  | clear      | 0     |
      | 40  | needs_info | 1     |

  Scenario: A date of birth after the screening date is an error, and age falls back to age_years
    Given its date_of_birth is 2027-01-01
    And its age_years is 60
    When it is screened
    Then indication.adult is clear
    And there is 1 error on date_of_birth

  Scenario Outline: Only the four subtypes on the label are covered, written any common way
    Given its diagnosis is <diagnosis>
    When it is screened
    Then indication.subtype is <status>

    Examples: covered subtypes
      | diagnosis                                          | status |
      | DLBCL_NOS                                          | clear  |
      | DLBCL, NOS                                         | clear  |
      | diffuse large B-cell lymphoma, not otherwise specified | clear |
      | 弥漫性大B细胞淋巴瘤，非特指型                       | clear  |
      | transformed follicular lymphoma                    | clear  |
      | tFL                                                | clear  |
      | 转化型滤泡性淋巴瘤                                  | clear  |
      | double hit (MYC/BCL2)                              | clear  |
      | DLBCL, GCB type                                    | clear  |
      | 弥漫大B细胞淋巴瘤（非生发中心型）                     | clear  |
      | DLBCL/HGBL with MYC and BCL2 rearrangements        | clear  |
      | 双打击（MYC/BCL2）                                   | clear  |
      | double-hit lymphoma                                | needs_info |
      | HGBL-NOS                                           | clear  |
      | high grade B cell lymphoma NOS                     | clear  |

    Examples: known subtypes not on the label
      | diagnosis                                  | status  |
      | PMBCL                                      | flagged |
      | 原发纵隔大B细胞淋巴瘤                        | flagged |
      | PCNSL                                      | flagged |
      | T-cell/histiocyte-rich large B-cell lymphoma | flagged |
      | EBV_DLBCL                                  | flagged |
      | FL, not transformed                        | flagged |
      | FL grade 3B                                | flagged |
      | 伯基特淋巴瘤                                | flagged |
      | mantle cell lymphoma                       | flagged |
      | Richter transformation                     | flagged |
      | OTHER                                      | flagged |

    Examples: terms that name no single subtype are never guessed
      | diagnosis             | status     |
      | DLBCL                 | needs_info |
      | follicular lymphoma   | needs_info |
      | high-grade B-cell lymphoma | needs_info |
      | C83.3                 | needs_info |
      | lymphoma of the moon  | needs_info |
      | missing               | needs_info |

  Scenario Outline: Disease must be relapsed or refractory
    Given its disease_status is <disease_status>
    When it is screened
    Then indication.relapsed_refractory is <status>

    Examples:
      | disease_status | status     |
      | relapsed       | clear      |
      | refractory     | clear      |
      | Refractory     | clear      |
      | remission      | flagged    |
      | untreated      | flagged    |
      | missing        | needs_info |
      | progressing    | needs_info |

  Scenario Outline: Two or more prior lines of systemic therapy
    Given its prior_systemic_lines is <lines>
    When it is screened
    Then indication.prior_lines is <status>
    And the outcome is <outcome>

    Examples:
      | lines   | status     | outcome    |
      | 0       | flagged    | flagged    |
      | 1       | flagged    | flagged    |
      | 2       | clear      | no_flags   |
      | 7       | clear      | no_flags   |
      | missing | needs_info | needs_info |
      | two     | clear      | no_flags   |
      | 三线     | clear      | no_flags   |
      | 1 line  | flagged    | flagged    |
      | R-CHOP, R-ICE | needs_info | needs_info |
      | 2.5     | needs_info | needs_info |
      | -1      | needs_info | needs_info |
