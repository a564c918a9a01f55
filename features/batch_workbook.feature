Feature: The results as a workbook — the same rows, coloured, nothing a spreadsheet would run
  A coordinator asks for the results as an Excel workbook, to see at a glance which referrals and
  which criteria need attention. The workbook holds the same rows as the CSV results, each outcome
  coloured, with a summary sheet and the notice; no cell is a formula, whatever a list holds.

  Scenario Outline: A workbook has the CSV rows, coloured outcomes, a summary and the notice (<lang>)
    Given a referral list:
      """
      patient_id,screening_date,date_of_birth,diagnosis,disease_status,prior_systemic_lines,lvef_percent,nyha_class
      R-1,2026-10-15,1962-05-30,DLBCL_NOS,relapsed,3,55,I
      R-2,2026-10-15,1962-05-30,PMBCL,relapsed,3,55,I
      R-3,2026-10-15,1962-05-30,DLBCL_NOS,relapsed,3,abc,I
      R-4,too,few
      =1+1,2026-10-15,1962-05-30,DLBCL_NOS,relapsed,3,55,I
      """
    When the coordinator screens the list into a workbook in <lang>
    Then the workbook's first sheet has the same rows as the results list
    And the outcome cells are coloured:
      | row | outcome    | colour |
      | 1   | needs_info | yellow |
      | 2   | flagged    | red    |
      | 3   | needs_info | yellow |
      | 4   | error      | orange |
      | 5   | needs_info | yellow |
    And no cell of the workbook is a formula
    And the workbook's header is frozen and has an autofilter
    And the workbook's summary sheet counts 5 records: 1 flagged, 3 needs_info, 0 no_flags, 1 error
    And the workbook carries the notice in <lang> on its summary sheet and in its properties

    Examples:
      | lang |
      | en   |
      | zh   |
