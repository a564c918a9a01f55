Feature: Screening a referral list kept as a workbook
  Referral lists arrive as Excel or WPS workbooks: a title above the header, dates as date cells,
  ids typed as numbers or with leading zeros, ticks as TRUE/FALSE, an empty row here and there,
  a notes column, last month's list on a second sheet. The workbook is screened as it is, with
  one result row for each sheet row that holds a referral, numbered as the sheet numbers it.

  Scenario Outline: A coordinator's workbook is screened cell by cell, as the cells mean
    Given a workbook with the sheet "十一月":
      | A                                      | B                 | C         | D                         | E                     | F            | G               |
      | {title 转诊名单 2026年11月 across 6}     |                   |           |                           |                       |              |                 |
      | patient_id                             | date_of_birth     | diagnosis | prior_systemic_lines      | on_immunosuppressants | lvef_percent | Notes 备注      |
      | {number 12345}                         | {date 1962-05-30} | DLBCL_NOS | {number 3}                | {FALSE}               | {number 55}  | seen twice, 家属 |
      | 00123                                  | {date 1975-02-11} | DLBCL_NOS | {formula =1+1 gives 2}    | {TRUE}                | {number 35.5}|                 |
      |                                        |                   |           |                           |                       |              |                 |
      | =A1                                    | {date 1949-07-07} | PMBCL     | {number 2.5}              | no                    | 60           |                 |
      | +86 138 0000 0000                      | {date 2010-01-01} | {number 3}| 2                         | FALSE                 | {date 2026-01-05} |            |
      |                                        |                   |           |                           |                       |              | called, no answer |
    And a second sheet "十月" in the workbook:
      | A          | B                 |
      | patient_id | date_of_birth     |
      | OLD-1      | {date 1950-01-01} |
    When the coordinator screens the workbook into "<output>"
    Then the results have these rows:
      | row | patient_id          | outcome    | flagged                                          |
      | 3   | 12345               | needs_info |                                                  |
      | 4   | 00123               | flagged    | precaution.cardiac;interaction.immunosuppressants |
      | 6   | '=A1                | flagged    | indication.subtype                               |
      | 7   | '+86 138 0000 0000  | flagged    | indication.adult                                 |
      | 8   |                     | error      |                                                  |
    And sheet row 6 says "prior_systemic_lines: not a whole number"
    And sheet row 7 says "diagnosis: "
    And sheet row 7 says "lvef_percent: "
    And sheet row 8 says "patient_id: missing"
    And every row carries the notice
    And the summary says "sheet: 十一月 (.xlsx workbook), header in row 2"
    And the summary says "1 row(s) above the header ignored"
    And the summary says "1 empty row(s) skipped"
    And the summary counts 5 records: 3 flagged, 1 needs_info, 0 no_flags, 1 error

    Examples:
      | output       |
      | results.csv  |
      | results.xlsx |

  Scenario: Another sheet is chosen by its name, and headers are mapped as for a CSV list
    Given a workbook with the sheet "十一月":
      | A          |
      | patient_id |
      | NEW-1      |
    And a second sheet "十月" in the workbook:
      | A      | B                 | C              |
      | 病历号 | 出生日期          | 左室射血分数   |
      | OLD-1  | {date 1950-01-01} | {number 35}    |
    And a column map:
      """
      病历号: patient_id
      出生日期: date_of_birth
      左室射血分数: lvef_percent
      """
    When the coordinator screens sheet "十月" of the workbook with the column map
    Then the results have these rows:
      | row | patient_id | outcome | flagged            |
      | 2   | OLD-1      | flagged | precaution.cardiac |

  Scenario: A cell with no value to read is an error on its field, and the rest is screened
    Given a workbook with the sheet "Referrals":
      | A          | B                               | C            |
      | patient_id | prior_systemic_lines            | lvef_percent |
      | R-1        | {formula =C2*2 never calculated} | 35           |
      | R-2        | {error #N/A}                    | 35           |
    When the coordinator screens the workbook into "results.csv"
    Then the results have these rows:
      | row | patient_id | outcome | flagged            |
      | 2   | R-1        | flagged | precaution.cardiac |
      | 3   | R-2        | flagged | precaution.cardiac |
    And sheet row 2 says "prior_systemic_lines: a formula with no value saved (=C2*2)"
    And sheet row 3 says "prior_systemic_lines: the cell holds the error #N/A"

  Scenario: The values a program saved with its formulas are not read as the formulas' results
    A writer library (XlsxWriter, openpyxl) saves with a formula whatever value it was told (0 by
    default) and asks Excel to recalculate when the workbook is opened: =84/21 would read as a
    bilirubin of 0×ULN. Until Excel or WPS has calculated and saved it, no formula value is read.
    Given a workbook with the sheet "Referrals":
      | A          | B                        | C                      | D            |
      | patient_id | total_bilirubin_x_uln    | prior_systemic_lines   | lvef_percent |
      | S-1        | {formula =84/21 gives 0} | {formula =1+2 gives 0} | 35           |
    And the workbook was written by a program and never saved by Excel
    When the coordinator screens the workbook into "results.csv"
    Then the results have these rows:
      | row | patient_id | outcome | flagged            |
      | 2   | S-1        | flagged | precaution.cardiac |
    And sheet row 2 says "total_bilirubin_x_uln: a formula (=84/21) in a workbook that asks to be recalculated when it is opened"
    And sheet row 2 says "prior_systemic_lines: a formula (=1+2) in a workbook that asks to be recalculated"

  Scenario: A cell under merged cells is an error on its field, not the first cell's value
    The coordinator sees the merged screening date beside each row; the sheet holds it in the
    first cell alone. Guessing it for the rows below is not ours to do: each says what to record.
    Given a workbook with the sheet "Referrals":
      | A          | B                        | C            |
      | patient_id | screening_date           | lvef_percent |
      | Z-1        | {date 2026-01-10 down 2} | 35           |
      | Z-2        |                          | 35           |
    When the coordinator screens the workbook into "results.csv"
    Then the results have these rows:
      | row | patient_id | outcome | flagged            |
      | 2   | Z-1        | flagged | precaution.cardiac |
      | 3   | Z-2        | flagged | precaution.cardiac |
    And sheet row 3 says "screening_date: the cell is under the merged cells B2:B3, whose value is in B2 alone; unmerge them"

  Scenario: A number cell is read as the spreadsheet shows it, and an id it has cut is refused
    An 18-digit ID number typed into a number cell keeps only its first 15 digits: two patients
    would become one made-up id. A formula's floating-point noise is read as the sheet shows it.
    Given a workbook with the sheet "Referrals":
      | A                           | B                                    | C            |
      | patient_id                  | prior_systemic_lines                 | lvef_percent |
      | {number 110101196503140012} | 3                                    | 35           |
      | {number 110101196503140034} | 3                                    | 35           |
      | R-3                         | {formula =0.1*3*10 gives 3.0000000000000004} | 35   |
    When the coordinator screens the workbook into "results.csv"
    Then the results have these rows:
      | row | patient_id | outcome | flagged            |
      | 2   |            | error   |                    |
      | 3   |            | error   |                    |
      | 4   | R-3        | flagged | precaution.cardiac |
    And sheet row 2 says "patient_id: a number cell of more than 15 digits (110101196503140000)"

  Scenario: A number formatted as a percentage is read as the percentage the sheet shows
    Typing 45% into Excel stores 0.45 formatted as a percentage: the coordinator sees 45 %, and
    so is it read. The stored value is read, never the display rounded to the format's
    decimals: 0.395 shown as 40 % is 39.5 %, below the 40 % the cardiac precaution draws the
    line at. A bare 0.45 is still a fraction, not a percentage.
    Given a workbook with the sheet "Referrals":
      | A          | B                       |
      | patient_id | lvef_percent            |
      | P-1        | {percent 0.35}          |
      | P-2        | {percent 0.45}          |
      | P-3        | {percent 0.395}         |
      | P-4        | {number 0.45}           |
    When the coordinator screens the workbook into "results.csv"
    Then the results have these rows:
      | row | patient_id | outcome    | flagged            |
      | 2   | P-1        | flagged    | precaution.cardiac |
      | 3   | P-2        | needs_info |                    |
      | 4   | P-3        | flagged    | precaution.cardiac |
      | 5   | P-4        | needs_info |                    |
    And sheet row 5 says "lvef_percent: 0.45 is outside the plausible range"

  Scenario Outline: A file is read by what it holds, whatever it is named
    Given a referral list kept as <content> named "<name>"
    When the coordinator screens the list
    Then the results have these rows:
      | row | patient_id | outcome    |
      | <row> | A1       | needs_info |
    And the summary says "<said>"

    Examples:
      | content    | name          | row | said                                                                    |
      | a workbook | referrals.csv | 2   | the file is named .csv but holds an .xlsx workbook: read as a workbook  |
      | CSV text   | referrals.xlsx | 1  | the file is named .xlsx but holds text, not a workbook: read as CSV     |

  Scenario Outline: A workbook that cannot be screened is refused in one line, and nothing is written
    Given a referral list kept as <content> named "<name>"
    When the coordinator screens the list with options "<options>"
    Then the command fails with "<message>"
    And no results file is left behind

    Examples:
      | content                          | name           | options          | message                                                      |
      | a ZIP archive with no workbook    | referrals.xlsx |                  | not a workbook: a ZIP archive with no spreadsheet in it      |
      | a damaged ZIP archive            | referrals.xlsx |                  | the workbook cannot be read (not a whole ZIP archive)        |
      | a workbook protected by password | referrals.xlsx |                  | the workbook is protected with a password                    |
      | an empty workbook sheet          | referrals.xlsx |                  | sheet Sheet1 is empty                                        |
      | a workbook without a header      | referrals.xlsx |                  | no header row naming patient_id in the first 20 rows of sheet Sheet1 |
      | a workbook                       | referrals.xlsx | --sheet 四月      | there is no sheet named 四月; the workbook's sheets are: Sheet1 |
      | CSV text                         | referrals.csv  | --sheet 四月      | --sheet is for workbooks                                      |

  Scenario: A header with merged cells is refused: the column under them has no name of its own
    The NYHA class under a header merged across two columns would be left out without a word,
    and a severe-heart-failure flag with it.
    Given a workbook with the sheet "Referrals":
      | A          | B                             | C  |
      | patient_id | {title lvef_percent across 2} |    |
      | H-1        | 55                            | IV |
    When the coordinator screens the workbook into "results.csv"
    Then the command fails with "the header (row 1 of sheet Referrals) has the merged cells B1:C1"

  Scenario Outline: A hidden first sheet is not taken for the list: the sheet to screen is named
    Excel opens on the sheet the coordinator sees; a hidden one before it (last month's list,
    kept out of sight) is "the first sheet" only to a program. Screening it unasked would give
    another list's results under this list's name.
    Given a workbook with the sheet "old":
      | A          |
      | patient_id |
      | OLD-1      |
    And a second sheet "Referrals" in the workbook:
      | A          |
      | patient_id |
      | NEW-1      |
    And the sheet "old" is <hidden>
    When the coordinator screens the workbook into "results.csv"
    Then the command fails with "the workbook's first sheet, old, is hidden: it is not the sheet Excel shows; name the sheet to screen with --sheet NAME (the visible sheets: Referrals)"
    And no results file is left behind

    Examples:
      | hidden      |
      | hidden      |
      | very hidden |

  Scenario: A hidden sheet named with --sheet is read, and the summary says it is hidden
    Given a workbook with the sheet "old":
      | A          |
      | patient_id |
      | OLD-1      |
    And a second sheet "Referrals" in the workbook:
      | A          |
      | patient_id |
      | NEW-1      |
    And the sheet "old" is hidden
    When the coordinator screens sheet "old" of the workbook
    Then the results have these rows:
      | row | patient_id | outcome    |
      | 2   | OLD-1      | needs_info |
    And the summary says "sheet: old (hidden) (.xlsx workbook), header in row 1"
