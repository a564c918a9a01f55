Feature: Clinical review — definitions that do not mislead, entities that flag
  A review against the label, WHO-HAEM5/ICC 2022, CTCAE v5 and the pivotal CAR-T trials: the form's
  definitions must not push a coordinator to exclude the patients the label is for, nor bury real
  flags under noise; every threshold beyond the label's words is marked as the site's reading,
  with its source; and a rule's note stands beside the flag, where the coordinator reads it.

  Background:
    Given a referral with nothing to flag, screened on 2026-10-15

  Scenario: A chemorefractory patient with two started lines is not flagged for lines
    Given its prior_systemic_lines is 2
    When it is screened
    Then indication.prior_lines is clear
    And the form defines prior_systemic_lines as "counting one stopped early for progression"
    And the form defines prior_systemic_lines as "Salvage + autologous transplant = one line"
    And the form defines prior_systemic_lines as "Not lines: bridging after apheresis, radiotherapy alone, intrathecal therapy, a steroid pre-phase"
    And the form defines prior_systemic_lines as "tFL: count the lines before and after transformation"

  Scenario: One started line is flagged, and the note says how lines are counted
    Given its prior_systemic_lines is 1
    When it is screened
    Then indication.prior_lines is flagged
    And the indication.prior_lines note says "Salvage chemotherapy then autologous transplant is one line"
    And the checklist shows the indication.prior_lines note

  Scenario Outline: Double hit without its genes and follicular lymphoma alone ask the deciding question
    Given its diagnosis is <diagnosis>
    When it is screened
    Then indication.subtype is needs_info
    And the error on diagnosis says "<asks>"

    Examples:
      | diagnosis           | asks                                                   |
      | double hit          | with MYC and BCL2 rearranged (BCL6 or not)             |
      | 双打击               | with MYC and BCL6 only record DLBCL-NOS or HGBL-NOS     |
      | FL                  | record tFL if the biopsy now shows large B-cell lymphoma |
      | follicular lymphoma | "FL, not transformed"                                  |
      | DLBCL               | a follicular lymphoma before? FISH for MYC and BCL2? the primary site (CNS, testis, skin, mediastinum)? EBER? |

  Scenario Outline: Large B-cell entities the label does not list are flagged as off-label, for the physician
    Given its diagnosis is <diagnosis>
    When it is screened
    Then indication.subtype is flagged
    And the indication.subtype note says "off-label, for the physician to review"
    And the checklist shows the indication.subtype note

    Examples:
      | diagnosis                                      |
      | HGBL with 11q aberration                       |
      | LBCL with IRF4 rearrangement                   |
      | ALK-positive large B-cell lymphoma             |
      | plasmablastic lymphoma                         |
      | primary effusion lymphoma                      |
      | HHV8-positive DLBCL                            |
      | intravascular large B-cell lymphoma            |
      | fibrin-associated large B-cell lymphoma        |
      | DLBCL associated with chronic inflammation     |
      | primary testicular DLBCL                       |
      | primary vitreoretinal lymphoma                 |
      | mediastinal grey-zone lymphoma                 |
      | transformed marginal zone lymphoma             |
      | transformed lymphoplasmacytic lymphoma         |
      | B-lymphoblastic lymphoma                       |

  Scenario: A double-expressor lymphoma is DLBCL-NOS, not double hit
    Given its diagnosis is double-expressor lymphoma
    When it is screened
    Then indication.subtype is clear
    And the indication.subtype reason mentions "DLBCL-NOS"

  Scenario Outline: Disease status is the course at referral; a response is not a course
    Given its disease_status is <status>
    When it is screened
    Then indication.relapsed_refractory is <result>

    Examples:
      | status           | result     |
      | relapsed         | clear      |
      | primary refractory | clear    |
      | r/r              | clear      |
      | PR               | needs_info |
      | stable disease   | needs_info |
      | remission        | flagged    |

  Scenario: A partial response asks whether the disease relapsed or is refractory
    Given its disease_status is partial response
    When it is screened
    Then the error on disease_status says "a response, not the course of the disease: record whether it relapsed"
    And the form defines disease_status as "at referral, before bridging"

  Scenario: A patient in remission after bridging is asked about, the note says the course counts
    Given its disease_status is remission
    When it is screened
    Then indication.relapsed_refractory is flagged
    And the indication.relapsed_refractory note says "in response after bridging is still relapsed or refractory"

  Scenario: Hypersensitivity means a documented serious reaction to a component not yet confirmed
    Given its hypersensitivity_to_components is yes
    When it is screened
    Then contraindication.hypersensitivity is flagged
    And the form defines hypersensitivity_to_components as "Documented serious hypersensitivity or anaphylaxis"
    And the contraindication.hypersensitivity note says "HICARA's components are not confirmed"
    And the contraindication.hypersensitivity note says "Nausea, flushing or a garlic taste with a previous DMSO-frozen autograft is common and is not an allergy"

  Scenario: Bridging that ends before lymphodepletion is not other anticancer therapy
    Given its other_anticancer_therapy is no
    When it is screened
    Then interaction.anticancer_therapy is clear
    And the form defines other_anticancer_therapy as "Bridging that ends before lymphodepletion, with its washout, is no"

  Scenario: Other anticancer therapy from lymphodepletion onwards is a caution, read as the site's reading
    Given its other_anticancer_therapy is yes
    When it is screened
    Then interaction.anticancer_therapy is flagged
    And the interaction.anticancer_therapy reason mentions "site's reading: other anticancer therapy ongoing or planned from lymphodepletion onwards"
    And the interaction.anticancer_therapy note says "Bridging was given to 92 % of JULIET patients"

  Scenario: Immunosuppressants are defined with a dose, a window, and what does not count
    Given its on_immunosuppressants is yes
    When it is screened
    Then interaction.immunosuppressants is flagged
    And the interaction.immunosuppressants reason mentions "site's reading: systemic immunosuppressants, or corticosteroids above 10 mg/day"
    And the interaction.immunosuppressants reason mentions "replacement doses of 5–7.5 mg do not count"
    And the interaction.immunosuppressants note says "Steroids or tocilizumab given for CRS or ICANS after the infusion are expected"

  Scenario: The six-week live-vaccine look-back is the site's reading, not the label's word
    Given its recent_live_vaccine is yes
    When it is screened
    Then interaction.live_vaccines is flagged
    And the interaction.live_vaccines reason mentions "the look-back is not in HICARA's text"
    And the form defines recent_live_vaccine as "6 weeks before lymphodepletion"

  Scenario: The cardiac threshold cites CTCAE v5 and the TRANSCEND floor
    Given its lvef_percent is 35
    When it is screened
    Then precaution.cardiac is flagged
    And the precaution.cardiac reason mentions "CTCAE v5 ejection fraction decreased grade ≥ 3"
    And the precaution.cardiac reason mentions "TRANSCEND NHL 001 required ≥ 40 %"

  Scenario: The hepatic note warns of Gilbert's syndrome and lymphoma in the liver
    Given its total_bilirubin_x_uln is 3.5
    When it is screened
    Then precaution.hepatic is flagged
    And the precaution.hepatic note says "With Gilbert's syndrome or haemolysis, judge by direct (conjugated) bilirubin"
    And the precaution.hepatic note says "raised by lymphoma in the liver are for the physician to review"
    And the checklist shows the precaution.hepatic note
