Feature: Precautions — severe cardiac or hepatic impairment, intensive-care facility
  The label: "Avoid use in patients with severe cardiac or hepatic impairment" and "Administer in
  facilities equipped for intensive care". "Severe" is the site's reading, written in the rule file:
  LVEF < 40 % or NYHA III–IV; bilirubin > 3×ULN, AST or ALT > 5×ULN (CTCAE v5 grade ≥ 3), or
  Child-Pugh C. LVEF and the three lab values are required; NYHA and Child-Pugh count where recorded
  — and a NYHA class or Child-Pugh class written but not readable ("V", "III-IV") is unknown, never
  read as not recorded: the item needs information.

  Background:
    Given a referral with nothing to flag, screened on 2026-10-15

  Scenario Outline: Severe cardiac impairment
    Given its lvef_percent is <lvef>
    And its nyha_class is <nyha>
    When it is screened
    Then precaution.cardiac is <status>

    Examples: LVEF at the 40 % threshold
      | lvef | nyha | status  |
      | 39   | I    | flagged |
      | 39.9 | I    | flagged |
      | 40   | I    | clear   |
      | 62   | II   | clear   |
      | 55 % | I    | clear   |

    Examples: NYHA III–IV flags with or without an LVEF
      | lvef    | nyha    | status     |
      | 62      | III     | flagged    |
      | 62      | 4       | flagged    |
      | missing | IV      | flagged    |
      | missing | iii     | flagged    |
      | 35      | missing | flagged    |
      | 55      | missing | clear      |
      | missing | II      | needs_info |
      | missing | missing | needs_info |
      | abc     | I       | needs_info |
      | 101     | I       | needs_info |
      | 55      | V       | needs_info |
      | 45      | III-IV  | needs_info |

  Scenario Outline: Severe hepatic impairment
    Given its total_bilirubin_x_uln is <bilirubin>
    And its ast_x_uln is <ast>
    And its alt_x_uln is <alt>
    And its child_pugh_class is <child_pugh>
    When it is screened
    Then precaution.hepatic is <status>

    Examples: each lab value at its threshold
      | bilirubin | ast | alt | child_pugh | status  |
      | 3.0       | 1.0 | 1.0 | A          | clear   |
      | 3.1       | 1.0 | 1.0 | A          | flagged |
      | 1.0       | 5.0 | 1.0 | A          | clear   |
      | 1.0       | 5.1 | 1.0 | A          | flagged |
      | 1.0       | 1.0 | 5.0 | A          | clear   |
      | 1.0       | 1.0 | 5.1 | A          | flagged |

    Examples: Child-Pugh C flags even with normal labs; missing data
      | bilirubin | ast     | alt     | child_pugh | status     |
      | 1.0       | 1.0     | 1.0     | C          | flagged    |
      | 1.0       | 1.0     | 1.0     | B          | clear      |
      | 1.0       | 1.0     | 1.0     | missing    | clear      |
      | missing   | 1.0     | 1.0     | C          | flagged    |
      | 3.5       | missing | missing | missing    | flagged    |
      | missing   | 1.0     | 1.0     | A          | needs_info |
      | 1.0       | missing | 1.0     | missing    | needs_info |
      | 1.0       | 1.0     | NaN     | A          | needs_info |
      | 1.0       | 1.0     | inf     | A          | needs_info |
      | -0.5      | 1.0     | 1.0     | A          | needs_info |
      | 1.0       | 1.0     | 1.0     | Child-Pugh C (12) | needs_info |
      | 1.0       | 1.0     | 1.0     | B-C        | needs_info |

  Scenario Outline: Intensive care at the treating site
    Given its icu_available is <icu>
    When it is screened
    Then precaution.icu_facility is <status>

    Examples:
      | icu     | status     |
      | yes     | clear      |
      | no      | flagged    |
      | 否      | flagged    |
      | missing | needs_info |

  Scenario Outline: A site-wide default may say whether the site has intensive care
    The site's capability is a fact about the site, not the patient: a site may set it once
    (cart-screen --icu-available, or CART_SCREEN_ICU_AVAILABLE). A form's own value wins, and an
    unreadable one stays an error. No patient field ever takes a default.
    Given its icu_available is <form value>
    When it is screened at a site whose default is <site default>
    Then precaution.icu_facility is <status>

    Examples:
      | form value | site default | status     |
      | missing    | yes          | clear      |
      | missing    | no           | flagged    |
      | no         | yes          | flagged    |
      | perhaps    | yes          | needs_info |
      | missing    | none         | needs_info |
