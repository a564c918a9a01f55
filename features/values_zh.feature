# language: zh-CN
功能: 按中文转诊资料的写法读取数值，清单以中文说明读取结果
  转诊资料多按病理报告和化验单以中文填写。常见写法（“复发难治”“三线”“心功能Ⅲ级”“8分”“68 µmol/L（正常上限 21）”
  “1965年3月14日”）均可读取，清单说明读取结果及换算过程；可能有两种含义的写法一律报错并说明应如何记录，绝不猜测。

  背景:
    假如 一位各项均无异常的转诊患者，筛查日期为 2026-10-15

  场景大纲: 中文写法读取后，清单以中文说明读取结果
    假如 其 <字段> 为 <写法>
    当 以中文筛查
    那么 <规则> 的状态为 <状态>
    而且 <规则> 的理由包含“<理由>”

    例子:
      | 字段                  | 写法                       | 规则                                    | 状态    | 理由                                           |
      | diagnosis             | 非生发中心型弥漫大B细胞淋巴瘤 | indication.subtype                   | clear   | 诊断：DLBCL-NOS（弥漫性大B细胞淋巴瘤，非特指型） |
      | disease_status        | 复发难治                   | indication.relapsed_refractory          | clear   | 疾病状态：复发或难治                           |
      | prior_systemic_lines  | 三线                       | indication.prior_lines                  | clear   | 既往系统治疗线数 3                             |
      | active_infection      | 未控制                     | contraindication.uncontrolled_infection | flagged | 活动性感染：未控制                             |
      | nyha_class            | 心功能Ⅲ级                  | precaution.cardiac                      | flagged | NYHA 心功能分级：III                           |
      | lvef_percent          | 射血分数 35%               | precaution.cardiac                      | flagged | 35 %，低于 40 %                                |
      | child_pugh_class      | 8分                        | precaution.hepatic                      | clear   | Child-Pugh 分级：B (Child-Pugh 评分 8 分 = B 级) |
      | total_bilirubin_x_uln | 68 µmol/L（正常上限 21）   | precaution.hepatic                      | flagged | 总胆红素 68 µmol/L ÷ 正常上限 21 µmol/L = 3.24×ULN，高于 3×ULN |
      | date_of_birth         | 1965年3月14日              | indication.adult                        | clear   | 年龄 61 岁                                     |

  场景大纲: 可能有两种含义的中文写法，以中文说明应如何记录
    假如 其 <字段> 为 <写法>
    当 以中文筛查
    那么 <规则> 的状态为 needs_info
    而且 <字段> 的错误说明包含“<说明>”

    例子:
      | 字段                 | 写法          | 规则                                    | 说明                     |
      | diagnosis            | 弥漫大B细胞淋巴瘤 | indication.subtype                  | 包含多个亚型             |
      | diagnosis            | 双打击        | indication.subtype                      | 未注明基因的“双打击”     |
      | disease_status       | 部分缓解      | indication.relapsed_refractory          | 这是疗效评价，不是病程   |
      | active_infection     | 有            | contraindication.uncontrolled_infection | 请注明感染是已控制还是未控制 |
      | prior_systemic_lines | R-CHOP、R-ICE | indication.prior_lines                  | 这是方案列表而非线数     |
      | lvef_percent         | 0.55          | precaution.cardiac                      | 请核对报告并记录百分数    |
      | date_of_birth        | 03/04/1965    | indication.adult                        | 日与月的先后无法确定     |
