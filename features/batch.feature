Feature: Screening a referral list — every referral accounted for, in order
  A coordinator screens a hospital export: odd headers, extra columns, blank cells, notes with
  commas and line breaks, now and then a broken record. The results list has exactly one row per
  referral, in the same order, and the summary gives the week's figures.

  Scenario: A messy export gives one row per referral, in order, with the right outcomes
    Given a referral list:
      """
       Patient_ID ,Screening_Date,date_of_birth,DIAGNOSIS,disease_status,prior_systemic_lines,active_infection,hypersensitivity_to_components,lvef_percent,nyha_class,total_bilirubin_x_uln,ast_x_uln,alt_x_uln,on_immunosuppressants,recent_live_vaccine,other_anticancer_therapy,icu_available,Ward notes
      R-1,2026-10-15,1962-05-30,double hit (MYC/BCL2),refractory,2,none,no,50,II,1.0,1.0,1.0,no,no,no,yes,"seen 3x, stable"
      R-2,2026-10-15,1980-12-01,原发纵隔大B细胞淋巴瘤,relapsed,3,none,否,60,I,0.5,0.7,0.8,no,no,no,yes,
      R-3,2026-10-15,1949-07-07,DLBCL NOS,relapsed,4,none,no,,,1.0,1.0,1.0,no,no,no,yes,"line one
      line two, with a comma"
      R-4,2026-10-15,1975-02-11,DLBCL_NOS,relapsed,two,none,no,55,I
      ,2026-10-15,1975-02-11,DLBCL_NOS,relapsed,2,none,no,55,I,0.9,1.0,1.0,no,no,no,yes,
      =cmd|' /C calc'!A0,2026-10-15,1975-02-11,DLBCL_NOS,relapsed,2,none,no,55,I,0.9,1.0,1.0,no,no,no,yes,
      R-1,2026-10-15,1962-05-30,double hit (MYC/BCL2),refractory,2,none,no,50,II,1.0,1.0,1.0,no,no,no,yes,again
      """
    When the coordinator screens the list
    Then the results have these rows:
      | row | patient_id         | outcome    | flagged            | needs_info         |
      | 1   | R-1                | no_flags   |                    |                    |
      | 2   | R-2                | flagged    | indication.subtype |                    |
      | 3   | R-3                | needs_info |                    | precaution.cardiac |
      | 4   | R-4                | error      |                    |                    |
      | 5   |                    | error      |                    |                    |
      | 6   | '=cmd\|' /C calc'!A0 | no_flags   |                    |                    |
      | 7   | R-1                | no_flags   |                    |                    |
    And row 4 says "record: has 10 cells, the header has 18"
    And row 5 says "patient_id: missing"
    And every row carries the notice
    And the summary counts 7 records: 1 flagged, 1 needs_info, 3 no_flags, 2 error
    And the summary counts 1 patient id given more than once and names "Ward notes" as an ignored column

  Scenario Outline: A list is read in the encoding it was saved in, without being told
    Given a referral list saved in <saved>:
      """
      patient_id,screening_date,date_of_birth,diagnosis,disease_status,prior_systemic_lines,active_infection,hypersensitivity_to_components,lvef_percent,nyha_class,total_bilirubin_x_uln,ast_x_uln,alt_x_uln,on_immunosuppressants,recent_live_vaccine,other_anticancer_therapy,icu_available,备注
      张三-1,2026-10-15,1962-05-30,双打击（MYC/BCL2）,refractory,2,none,no,50,II,1.0,1.0,1.0,no,no,no,yes,家属陪同
      李四-2,2026-10-15,1980-12-01,原发纵隔大B细胞淋巴瘤,relapsed,3,none,否,60,I,0.5,0.7,0.8,no,no,no,yes,
      """
    When the coordinator screens the list
    Then the results have these rows:
      | row | patient_id | outcome  | flagged            | needs_info |
      | 1   | 张三-1     | no_flags |                    |            |
      | 2   | 李四-2     | flagged  | indication.subtype |            |
    And the summary says "encoding: <encoding> (detected)"

    Examples:
      | saved          | encoding |
      | UTF-8          | UTF-8    |
      | UTF-8 with BOM | UTF-8    |
      | UTF-16         | UTF-16   |
      | GB18030        | GB18030  |

  Scenario Outline: Content that is not a CSV is refused, saying what it is
    Given a file that is <content>
    When the coordinator screens the list
    Then the command fails with "<message>"
    And no results file is left behind

    Examples:
      | content                   | message                                            |
      | an Excel workbook (.xlsx) | the workbook cannot be read                        |
      | a PDF document            | this is a PDF document, not a CSV                  |
      | a photo (JPEG)            | this is an image (JPEG), not a CSV                 |
      | a list saved in Latin-1   | not UTF-8, UTF-16 with a byte-order mark, or GB18030 |

  Scenario: A record too long to be real is one error row, and the records after it are screened
    A record that runs on past 1,048,576 characters (most often a quote that is never closed) is
    one error row naming its patient, and the records after it are read as usual.
    Given a referral list whose note "[long note]" runs on for 400000 lines:
      """
      patient_id,lvef_percent,diagnosis
      A1,50,PMBCL
      A2,"[long note]",PMBCL
      A3,50,PMBCL
      """
    When the coordinator screens the list
    Then the results have these rows:
      | row | patient_id | outcome |
      | 1   | A1         | flagged |
      | 2   | A2         | error   |
      | 3   | A3         | flagged |
    And row 2 says "record: longer than 1,048,576 characters, the most a record may hold"

  Scenario: A list without a patient_id column is refused and nothing is written
    Given a referral list:
      """
      MRN,lvef_percent
      A1,35
      """
    When the coordinator screens the list
    Then the command fails with "no patient_id column"
    And no results file is left behind

  Scenario: A hospital's own headers are mapped to form fields with a column map
    Given a referral list:
      """
      MRN,EF,诊断
      A1,35,DLBCL
      """
    And a column map:
      """
      MRN: patient_id
      EF: lvef_percent
      诊断: diagnosis
      """
    When the coordinator screens the list with the column map
    Then the results have these rows:
      | row | patient_id | outcome | flagged            | needs_info |
      | 1   | A1         | flagged | precaution.cardiac | indication.adult;indication.subtype;indication.relapsed_refractory;indication.prior_lines;contraindication.hypersensitivity;contraindication.uncontrolled_infection;precaution.hepatic;precaution.icu_facility;interaction.immunosuppressants;interaction.live_vaccines;interaction.anticancer_therapy |
