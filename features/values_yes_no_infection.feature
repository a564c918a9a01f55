Feature: Yes/no answers and infection status as referrals write them
  Yes/no fields take yes/no, y/n, true/false, 1/0, 是/否 and 有/无 in any case or width. An active
  infection is none (无), controlled (已控制) or uncontrolled (未控制); an infection written without
  whether it is controlled ("yes", 有, 感染) is an error that asks which, since the label
  contraindicates only an uncontrolled one.

  Scenario Outline: A yes/no answer reads as yes or no
    When the referral writes <field> as "<written>"
    Then it reads as <answer>

    Examples: English
      | field                          | written | answer |
      | hypersensitivity_to_components | yes     | yes    |
      | hypersensitivity_to_components | N       | no     |
      | on_immunosuppressants          | TRUE    | yes    |
      | recent_live_vaccine            | 0       | no     |
      | other_anticancer_therapy       | present | yes    |
      | icu_available                  | ｙｅｓ  | yes    |

    Examples: Chinese
      | field                          | written | answer |
      | hypersensitivity_to_components | 有      | yes    |
      | hypersensitivity_to_components | 无      | no     |
      | on_immunosuppressants          | 是的    | yes    |
      | recent_live_vaccine            | 否      | no     |
      | other_anticancer_therapy       | 没有    | no     |
      | icu_available                  | 是      | yes    |

  Scenario Outline: An answer that is neither yes nor no is an error listing what is accepted
    When the referral writes <field> as "<written>"
    Then it is refused: "expected yes or no"
    And in Chinese the refusal says "应为：是或否"

    Examples:
      | field                          | written |
      | hypersensitivity_to_components | maybe   |
      | hypersensitivity_to_components | 可能    |
      | icu_available                  | yes/no  |

  Scenario Outline: An infection reads as none, controlled or uncontrolled
    When the referral writes active_infection as "<written>"
    Then it reads as <infection>

    Examples:
      | written        | infection    |
      | none           | none         |
      | no infection   | none         |
      | 无             | none         |
      | 无感染         | none         |
      | controlled     | controlled   |
      | under control  | controlled   |
      | 已控制         | controlled   |
      | 控制良好       | controlled   |
      | uncontrolled   | uncontrolled |
      | not controlled | uncontrolled |
      | 未控制         | uncontrolled |
      | 活动性未控制   | uncontrolled |

  Scenario Outline: An infection without whether it is controlled is an error that asks
    When the referral writes active_infection as "<written>"
    Then it is refused: "say whether the infection is controlled or uncontrolled"
    And in Chinese the refusal says "请注明感染是已控制还是未控制"

    Examples:
      | written          |
      | yes              |
      | active infection |
      | 有               |
      | 感染             |
      | 活动性感染       |

  Scenario Outline: The answer read is the one the checklist judges
    Given a referral with nothing to flag, screened on 2026-10-15
    And its <field> is <written>
    When it is screened
    Then <rule> is <status>

    Examples:
      | field                          | written | rule                                    | status     |
      | hypersensitivity_to_components | 有      | contraindication.hypersensitivity       | flagged    |
      | hypersensitivity_to_components | 无      | contraindication.hypersensitivity       | clear      |
      | on_immunosuppressants          | 是      | interaction.immunosuppressants          | flagged    |
      | icu_available                  | 无      | precaution.icu_facility                 | flagged    |
      | active_infection               | 未控制  | contraindication.uncontrolled_infection | flagged    |
      | active_infection               | 已控制  | contraindication.uncontrolled_infection | clear      |
      | active_infection               | 有      | contraindication.uncontrolled_infection | needs_info |
