Feature: Diagnosis as pathology reports write it
  Referrals copy the diagnosis from the pathology report, in English or Chinese. A subtype written
  in a common clinical way is read as its code: cell-of-origin qualifiers (GCB / non-GCB / ABC,
  生发中心型 / 非生发中心型) on DLBCL-NOS, "transformed from FL", "double hit" with both of its genes,
  grade 3B, full-width forms. A term that could name more than one subtype — a bare umbrella term,
  "double hit" without its genes, an ICD code — is an error that says what to record. A near miss
  gets a suggestion, never a reading.

  Scenario Outline: A subtype written as a pathology report writes it reads as its code
    When the referral writes diagnosis as "<written>"
    Then it reads as <code>

    Examples: WHO/ICC names, abbreviations and cell-of-origin qualifiers
      | written                                                    | code          |
      | DLBCL, NOS                                                 | DLBCL_NOS     |
      | DLBCL, GCB type                                            | DLBCL_NOS     |
      | DLBCL, non-GCB type                                        | DLBCL_NOS     |
      | ABC-type DLBCL                                             | DLBCL_NOS     |
      | Diffuse large B-cell lymphoma, germinal center B-cell type | DLBCL_NOS     |
      | double expressor DLBCL                                     | DLBCL_NOS     |
      | tFL                                                        | TFL           |
      | DLBCL transformed from follicular lymphoma                 | TFL           |
      | transformed from FL                                        | TFL           |
      | double hit (MYC/BCL2)                                      | HGBL_MYC_BCL2 |
      | DLBCL/HGBL with MYC and BCL2 rearrangements                | HGBL_MYC_BCL2 |
      | triple hit (MYC/BCL2/BCL6)                                 | HGBL_MYC_BCL2 |
      | HGBL, NOS                                                  | HGBL_NOS      |
      | FL grade 3B                                                | FL_GRADE_3B   |
      | follicular large B-cell lymphoma                           | FL_GRADE_3B   |
      | EBV+ DLBCL                                                 | EBV_DLBCL     |
      | PMBL                                                       | PMBCL         |
      | DLBCL transformed from CLL                                 | RICHTER       |

    Examples: Chinese names and full-width forms
      | written                        | code          |
      | 弥漫大B细胞淋巴瘤，非特指型    | DLBCL_NOS     |
      | 弥漫大B细胞淋巴瘤（生发中心型）| DLBCL_NOS     |
      | 非生发中心型弥漫大B细胞淋巴瘤  | DLBCL_NOS     |
      | ＤＬＢＣＬ－ＮＯＳ             | DLBCL_NOS     |
      | ＤＬＢＣＬ（ＧＣＢ型）         | DLBCL_NOS     |
      | 滤泡性淋巴瘤转化               | TFL           |
      | FL转化                         | TFL           |
      | 双打击（MYC/BCL2）             | HGBL_MYC_BCL2 |
      | 高级别B细胞淋巴瘤伴MYC和BCL2重排 | HGBL_MYC_BCL2 |
      | 高级别B细胞淋巴瘤，非特指型    | HGBL_NOS      |
      | 滤泡性淋巴瘤3B级               | FL_GRADE_3B   |
      | EB病毒阳性弥漫大B细胞淋巴瘤    | EBV_DLBCL     |
      | 原发纵隔大B细胞淋巴瘤          | PMBCL         |

  Scenario Outline: A term that could name more than one subtype is an error saying what to record
    When the referral writes diagnosis as "<written>"
    Then it is refused: "<says>"
    And in Chinese the refusal says "<中文>"

    Examples:
      | written                               | says                                          | 中文                    |
      | DLBCL                                 | names several subtypes — record which         | 包含多个亚型            |
      | 弥漫大B细胞淋巴瘤                     | names several subtypes — record which         | 包含多个亚型            |
      | double hit                            | "double hit" without its genes names two      | 未注明基因的“双打击”    |
      | 双打击                                | "double hit" without its genes names two      | 未注明基因的“双打击”    |
      | HGBL                                  | names two subtypes                            | 包含两个亚型            |
      | HGBL with MYC and BCL6 rearrangements | MYC with BCL6 only is reclassified            | 仅 MYC 与 BCL6 重排者   |
      | C83.3                                 | an ICD code does not identify the subtype     | ICD 编码不能确定亚型    |
      | 9680/3                                | an ICD code does not identify the subtype     | ICD 编码不能确定亚型    |
      | lymphoma                              | not a known lymphoma subtype                  | 不是已知的淋巴瘤亚型    |
      | 淋巴瘤                                | not a known lymphoma subtype                  | 不是已知的淋巴瘤亚型    |
      | EBV- DLBCL                            | not a known lymphoma subtype                  | 不是已知的淋巴瘤亚型    |

  Scenario Outline: A near miss is never read, only suggested
    When the referral writes diagnosis as "<written>"
    Then it is refused: "did you mean <close> ("

    Examples:
      | written       | close     |
      | DLBLC NOS     | DLBCL-NOS |
      | DLBCL-NSO     | DLBCL-NOS |
      | tranformed FL | tFL       |
      | PMBLC         | PMBCL     |

  Scenario Outline: A large B-cell lymphoma arising from another lymphoma reads as its own code
    When the referral writes diagnosis as "<written>"
    Then it reads as <code>

    Examples:
      | written                  | code                 |
      | CLL transformed to DLBCL | RICHTER              |
      | DLBCL arising from CLL   | RICHTER              |
      | 里克特转化               | RICHTER              |
      | Richter's syndrome       | RICHTER              |
      | DLBCL arising from MZL   | TRANSFORMED_MZL      |
      | DLBCL arising from NLPHL | TRANSFORMED_INDOLENT |
      | transformed NLPBL        | TRANSFORMED_INDOLENT |

  Scenario Outline: A near miss naming another origin is never offered tFL, a covered subtype
    When the referral writes diagnosis as "<written>"
    Then it is refused: "did you mean <close> ("
    And the refusal does not mention "tFL"

    Examples:
      | written                      | close                |
      | CLL transformed into DLBCL   | Richter              |
      | MZL transformed into DLBCL   | tMZL                 |
      | NLPHL transformed into DLBCL | transformed indolent |

  Scenario Outline: The subtype read is the one the checklist judges
    Given a referral with nothing to flag, screened on 2026-10-15
    And its diagnosis is <written>
    When it is screened
    Then indication.subtype is <status>
    And the indication.subtype reason mentions "<shown>"

    Examples:
      | written                       | status     | shown                        |
      | DLBCL, non-GCB type           | clear      | Diagnosis: DLBCL-NOS         |
      | 非生发中心型弥漫大B细胞淋巴瘤 | clear      | Diagnosis: DLBCL-NOS         |
      | MYC/BCL2 double hit           | clear      | Diagnosis: HGBL-MYC/BCL2     |
      | FL G3B                        | flagged    | Diagnosis: FL 3B             |
      | PMBL                          | flagged    | Diagnosis: PMBCL             |
      | double-hit lymphoma           | needs_info | could not be read            |
