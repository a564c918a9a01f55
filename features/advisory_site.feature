Feature: Advisory checks — on by default, off by site, apart everywhere
  A centre that does not want the pivotal trials' checks writes `advisory: off` in its site file.
  Missing advisory data needs information in the advisory section, never in the label's.

  Background:
    Given a referral with nothing to flag, screened on 2026-10-15

  Scenario: Missing advisory data needs information in its own section, never the label's
    When it is screened
    Then the outcome is no_flags
    And 12 items are clear
    And 18 advisory checks are needs_info
    And every advisory check stands apart from the label's items

  Scenario: A site with advisory off leaves them out
    Given its ecog_ps is 3
    When it is screened at a site with advisory off
    Then no advisory check ran
    And the outcome is no_flags

  Scenario: OUT.csv gives the advisory columns after the label's
    Given a referral list:
      """
      patient_id,screening_date,date_of_birth,diagnosis,disease_status,prior_systemic_lines,active_infection,hypersensitivity_to_components,lvef_percent,nyha_class,total_bilirubin_x_uln,ast_x_uln,alt_x_uln,on_immunosuppressants,recent_live_vaccine,other_anticancer_therapy,icu_available,ecog_ps,platelets_x10e9_l,hbsag,anti_hbc
      A-1,2026-10-15,1971-08-02,DLBCL_NOS,relapsed,3,none,no,58,I,0.6,0.9,1.1,no,no,no,yes,3,"20,000/µL",阳性,阴性
      A-2,2026-10-15,1971-08-02,DLBCL_NOS,relapsed,1,none,no,45,I,0.6,0.9,1.1,no,no,no,yes,1,150,negative,negative
      """
    When the coordinator screens the list
    Then the results have these rows:
      | patient_id | outcome  | flagged               | advisory_flagged                                                                       |
      | A-1        | no_flags |                       | advisory.performance_status;advisory.performance_status_poor;advisory.hepatitis_b;advisory.platelets |
      | A-2        | flagged  | indication.prior_lines | advisory.lvef                                                                          |
    And every row carries the notice
