Feature: Interactions — immunosuppressants, live vaccines, other anticancer therapy
  The label: "Concomitant immunosuppressants may reduce CAR-T efficacy"; "Avoid live vaccines during
  and after therapy"; "Careful monitoring required with other anticancer therapies". These are
  cautions for the physician, not exclusions.

  Background:
    Given a referral with nothing to flag, screened on 2026-10-15

  Scenario Outline: Each interaction is flagged on yes, clear on no, and needs info when unknown
    Given its <field> is <answer>
    When it is screened
    Then <rule> is <status>
    And <rule> has severity caution

    Examples:
      | field                    | rule                              | answer  | status     |
      | on_immunosuppressants    | interaction.immunosuppressants    | yes     | flagged    |
      | on_immunosuppressants    | interaction.immunosuppressants    | no      | clear      |
      | on_immunosuppressants    | interaction.immunosuppressants    | missing | needs_info |
      | recent_live_vaccine      | interaction.live_vaccines         | 是      | flagged    |
      | recent_live_vaccine      | interaction.live_vaccines         | 否      | clear      |
      | recent_live_vaccine      | interaction.live_vaccines         | missing | needs_info |
      | other_anticancer_therapy | interaction.anticancer_therapy    | true    | flagged    |
      | other_anticancer_therapy | interaction.anticancer_therapy    | false   | clear      |
      | other_anticancer_therapy | interaction.anticancer_therapy    | unsure  | needs_info |
