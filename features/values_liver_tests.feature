Feature: Liver tests as lab print-outs write them — multiples of ULN, units and the lab's ULN
  Bilirubin, AST and ALT are compared as multiples of the upper limit of normal (ULN). A referral
  may write the multiple ("3.2×ULN", "3.2倍正常上限"), or the value with its unit and the lab's ULN,
  in the cell ("68 µmol/L (ULN 21)", "180 U/L（正常上限 50 U/L）") or from the site file's
  lab_uln. Bilirubin is in µmol/L or mg/dL (1 mg/dL = 17.1 µmol/L); AST and ALT in U/L (= IU/L).
  With no ULN known the value is an error, never a guess; the checklist shows the arithmetic.

  Scenario Outline: A multiple of ULN reads as written
    When the referral writes total_bilirubin_x_uln as "<written>"
    Then it reads as 3.2

    Examples:
      | written      |
      | 3.2          |
      | 3.2×ULN      |
      | 3.2 x ULN    |
      | 3.2 times ULN |
      | 3.2倍ULN     |
      | 3.2倍正常上限 |
      | ３．２×ＵＬＮ |

  Scenario Outline: A value with its unit and the lab's ULN in the cell reads as a multiple, showing the sum
    When the referral writes <field> as "<written>"
    Then it reads as <multiple>
    And it shows how it was read: "<sum>"

    Examples: English
      | field                 | written                   | multiple | sum                                                 |
      | total_bilirubin_x_uln | 68 µmol/L (ULN 21)        | 3.24     | 68 µmol/L ÷ ULN 21 µmol/L = 3.24×ULN                |
      | total_bilirubin_x_uln | 68 μmol/L (ULN 21)        | 3.24     | 68 µmol/L ÷ ULN 21 µmol/L = 3.24×ULN                |
      | total_bilirubin_x_uln | 4 mg/dL (ULN 1.2 mg/dL)   | 3.33     | 4 mg/dL ÷ ULN 1.2 mg/dL = 3.33×ULN                  |
      | total_bilirubin_x_uln | 4 mg/dL (ULN 20.5 µmol/L) | 3.34     | 4 mg/dL = 68.4 µmol/L ÷ ULN 20.5 µmol/L = 3.34×ULN  |
      | total_bilirubin_x_uln | 68 µmol/L (ref 3.4-20.5)  | 3.32     | 68 µmol/L ÷ ULN 20.5 µmol/L = 3.32×ULN              |
      | ast_x_uln             | 180 IU/L (ULN 40 IU/L)    | 4.5      | 180 IU/L ÷ ULN 40 IU/L = 4.5×ULN                    |

    Examples: Chinese
      | field                 | written                       | multiple | sum                                    |
      | ast_x_uln             | 180 U/L（正常上限 50 U/L）    | 3.6      | 180 U/L ÷ ULN 50 U/L = 3.6×ULN         |
      | alt_x_uln             | 250 U/L（正常值上限 50）      | 5        | 250 U/L ÷ ULN 50 U/L = 5×ULN           |
      | total_bilirubin_x_uln | 68 µmol/L（正常上限 21）      | 3.24     | 68 µmol/L ÷ ULN 21 µmol/L = 3.24×ULN   |
      | total_bilirubin_x_uln | 68 µmol/L (参考范围 3.4–20.5) | 3.32     | 68 µmol/L ÷ ULN 20.5 µmol/L = 3.32×ULN |

  Scenario Outline: With no ULN known, a value with a unit is an error naming the site file
    When the referral writes <field> as "<written>"
    Then it is refused: "no upper limit of normal to divide by"
    And it is refused: "set lab_uln in the site file (--site)"
    And in Chinese the refusal says "没有可用的正常上限"

    Examples:
      | field                 | written   |
      | total_bilirubin_x_uln | 68 µmol/L |
      | total_bilirubin_x_uln | 4 mg/dL   |
      | ast_x_uln             | 180 U/L   |
      | alt_x_uln             | 250 U/L   |

  Scenario Outline: A unit that does not fit the test, or an implausible ULN, is an error
    When the referral writes <field> as "<written>"
    Then it is refused: "<says>"

    Examples:
      | field                 | written                    | says                                                |
      | total_bilirubin_x_uln | 68 U/L (ULN 21)            | not a unit of this test                             |
      | ast_x_uln             | 180 µmol/L (ULN 40)        | not a unit of this test                             |
      | total_bilirubin_x_uln | 68 µmol/L (ULN 0)          | the upper limit of normal must be above 0           |
      | total_bilirubin_x_uln | 68 µmol/L (ULN 300 µmol/L) | outside the plausible 5–60 µmol/L                   |
      | total_bilirubin_x_uln | 68                         | 68 without a unit: a multiple of ULN or a lab value? |

  Scenario Outline: The site file's ULN divides a value written with its unit only
    Given the site file:
      """
      icu_available: yes
      lab_uln:
        total_bilirubin: 20.5 µmol/L
        ast: 40 U/L
        alt: 50 U/L
      """
    When the referral writes <field> as "<written>" at that site
    Then it reads as <multiple>
    And it shows how it was read: "<sum>"

    Examples:
      | field                 | written          | multiple | sum                                                           |
      | total_bilirubin_x_uln | 68 µmol/L        | 3.32     | 68 µmol/L ÷ ULN 20.5 µmol/L (site file) = 3.32×ULN            |
      | total_bilirubin_x_uln | 4 mg/dL          | 3.34     | 4 mg/dL = 68.4 µmol/L ÷ ULN 20.5 µmol/L (site file) = 3.34×ULN |
      | ast_x_uln             | 250 U/L          | 6.25     | 250 U/L ÷ ULN 40 U/L (site file) = 6.25×ULN                   |
      | alt_x_uln             | 180 IU/L         | 3.6      | 180 IU/L ÷ ULN 50 U/L (site file) = 3.6×ULN         |
      | alt_x_uln             | 180 U/L (ULN 40) | 4.5      | 180 U/L ÷ ULN 40 U/L = 4.5×ULN                                |
      | alt_x_uln             | 3.2倍正常上限    | 3.2      | 3.2×ULN                                                       |

  Scenario Outline: The checklist judges the multiple and shows how it was worked out
    Given the site file:
      """
      lab_uln:
        total_bilirubin: 20.5 µmol/L
        ast: 40 U/L
        alt: 50 U/L
      """
    And a referral with nothing to flag, screened on 2026-10-15
    And its <field> is <written>
    When it is screened at that site
    Then precaution.hepatic is <status>
    And the precaution.hepatic reason mentions "<shown>"

    Examples:
      | field                 | written            | status  | shown                                                           |
      | total_bilirubin_x_uln | 68 µmol/L          | flagged | Total bilirubin 68 µmol/L ÷ ULN 20.5 µmol/L (site file) = 3.32×ULN is above 3×ULN |
      | total_bilirubin_x_uln | 68 µmol/L (ULN 21) | flagged | Total bilirubin 68 µmol/L ÷ ULN 21 µmol/L = 3.24×ULN is above 3×ULN |
      | ast_x_uln             | 250 U/L            | flagged | AST 250 U/L ÷ ULN 40 U/L (site file) = 6.25×ULN is above 5×ULN  |
      | alt_x_uln             | 180 U/L            | clear   | ALT 180 U/L ÷ ULN 50 U/L (site file) = 3.6×ULN is not above 5×ULN |

  Scenario Outline: A value a hair from the threshold is shown with the digits that tell them apart
    The value shown never reads the same as the threshold it is compared with when it is on the
    other side: never "3×ULN is above 3×ULN".

    Given the site file:
      """
      lab_uln:
        total_bilirubin: 20.5 µmol/L
      """
    And a referral with nothing to flag, screened on 2026-10-15
    And its <field> is <written>
    When it is screened at that site
    Then precaution.hepatic is <status>
    And the precaution.hepatic reason mentions "<shown>"

    Examples:
      | field                 | written                       | status  | shown                                                                       |
      | total_bilirubin_x_uln | 61.50000001 µmol/L (ULN 20.5) | flagged | Total bilirubin 61.50000001 µmol/L ÷ ULN 20.5 µmol/L = 3.0000000005×ULN is above 3×ULN |
      | total_bilirubin_x_uln | 61.50000001 µmol/L            | flagged | = 3.0000000005×ULN is above 3×ULN                                           |
      | total_bilirubin_x_uln | 61.49999999 µmol/L            | clear   | = 2.9999999995×ULN is not above 3×ULN                                       |
      | total_bilirubin_x_uln | 3.00000001                    | flagged | Total bilirubin 3.00000001×ULN is above 3×ULN                               |
      | total_bilirubin_x_uln | 2.9999999                     | clear   | Total bilirubin 2.9999999×ULN is not above 3×ULN                            |
      | ast_x_uln             | 5.0025                        | flagged | AST 5.0025×ULN is above 5×ULN                                               |

  Scenario: Without a site file the same value needs info and says why
    Given a referral with nothing to flag, screened on 2026-10-15
    And its total_bilirubin_x_uln is 68 µmol/L
    When it is screened
    Then precaution.hepatic is needs_info
    And the error on total_bilirubin_x_uln says "no upper limit of normal to divide by"
