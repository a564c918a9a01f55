# language: zh-CN
功能: 参考检查项（非说明书）——中文
  参考检查项来自 CD19 CAR-T 关键临床试验，不属于 HICARA 说明书，单独列出，供医师参考；
  筛查结果仅由说明书规则决定。各参考项以中文显示，规则编号与状态保持不变。

  背景:
    假如 一位各项均无异常的转诊患者，筛查日期为 2026-10-15

  场景: 说明书无提示、ECOG 3 分的患者筛查结果仍为 no_flags，并有参考提示
    假如 其 ecog_ps 为 3分
    当 以中文筛查
    那么 筛查结果为 no_flags
    而且 advisory.performance_status_poor 的状态为 flagged
    而且 参考检查项与说明书条目分开列出
    而且 清单在说明书条目之后显示参考检查项标题“不属于 HICARA 说明书——来自关键临床试验，供医师参考”
    而且 提示语为中文

  场景大纲: 各参考领域的中文写法
    假如 其 <字段> 为 <取值>
    当 以中文筛查
    那么 <规则> 的状态为 <状态>
    而且 筛查结果为 no_flags

    例子:
      | 字段                     | 取值        | 规则                                  | 状态       |
      | ecog_ps                  | ECOG 2      | advisory.performance_status           | flagged    |
      | prior_cd19_therapy       | 是          | advisory.prior_cd19_therapy           | flagged    |
      | cns_involvement          | 既往        | advisory.cns_involvement              | clear      |
      | cns_involvement          | 活动性      | advisory.cns_involvement              | flagged    |
      | hcv_rna                  | 阴性        | advisory.hepatitis_c                  | clear      |
      | hiv                      | 阳性        | advisory.hiv                          | flagged    |
      | prior_allo_hsct          | 无          | advisory.allo_hsct                    | clear      |
      | platelets_x10e9_l        | 血小板 20   | advisory.platelets                    | flagged    |
      | hemoglobin_g_l           | 血红蛋白 75 | advisory.hemoglobin                   | flagged    |
      | crcl_ml_min              | 45 毫升/分  | advisory.renal                        | flagged    |
      | spo2_percent             | 血氧 95%    | advisory.oxygen                       | clear      |
      | prior_anthracycline      | 否          | advisory.prior_anti_cd20_anthracycline | flagged    |
      | measurable_disease       | 缺失        | advisory.measurable_disease           | needs_info |

  场景: 换算过的计数在理由中写明换算
    假如 其 platelets_x10e9_l 为 20,000/µL
    当 以中文筛查
    那么 advisory.platelets 的理由提到“20000 /µL = 20 ×10⁹/L”

  场景: 机构设置关闭参考检查项时不进行参考检查
    假如 其 ecog_ps 为 3
    当 在关闭参考检查项的机构以中文筛查
    那么 未进行参考检查
    而且 筛查结果为 no_flags
