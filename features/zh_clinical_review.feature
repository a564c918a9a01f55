# language: zh-CN
功能: 临床审阅——不误导的定义与应予提示的亚型（中文）
  表单定义不得促使协调员排除说明书所针对的患者；超出说明书原文的阈值均注明为本中心的解读及其依据；
  规则的备注与提示一同显示。

  背景:
    假如 一位各项均无异常的转诊患者，筛查日期为 2026-10-15

  场景: 已开始两线治疗的化疗难治患者不因线数被提示
    假如 其 prior_systemic_lines 为 两线
    当 以中文筛查
    那么 indication.prior_lines 的状态为 clear
    而且 表单中 prior_systemic_lines 的定义提到“因进展而提前停止的也计入”

  场景大纲: 未注明基因的双打击与单写滤泡性淋巴瘤，要求注明关键信息
    假如 其 diagnosis 为 <诊断>
    当 以中文筛查
    那么 indication.subtype 的状态为 needs_info
    而且 diagnosis 的错误提示提到“<提问>”

    例子:
      | 诊断           | 提问                       |
      | 双打击淋巴瘤     | MYC 与 BCL2 均重排          |
      | 滤泡性淋巴瘤     | 如本次活检为滤泡性淋巴瘤转化的大B细胞淋巴瘤 |
      | 弥漫大B细胞淋巴瘤 | 既往是否有滤泡性淋巴瘤？        |

  场景大纲: 说明书未列出的大B细胞淋巴瘤实体被提示为超说明书
    假如 其 diagnosis 为 <诊断>
    当 以中文筛查
    那么 indication.subtype 的状态为 flagged
    而且 indication.subtype 的备注提到“属超说明书，由医师评估”

    例子:
      | 诊断                   |
      | 伴11q异常的高级别B细胞淋巴瘤 |
      | 浆母细胞淋巴瘤            |
      | 原发渗出性淋巴瘤          |
      | 原发睾丸弥漫大B细胞淋巴瘤   |
      | 纵隔灰区淋巴瘤            |
      | 边缘区淋巴瘤转化          |
      | B淋巴母细胞淋巴瘤          |

  场景: 双表达淋巴瘤属于 DLBCL-NOS
    假如 其 diagnosis 为 双表达淋巴瘤
    当 以中文筛查
    那么 indication.subtype 的状态为 clear

  场景: 部分缓解是疗效评价，不是病程
    假如 其 disease_status 为 部分缓解
    当 以中文筛查
    那么 indication.relapsed_refractory 的状态为 needs_info
    而且 disease_status 的错误提示提到“这是疗效评价，不是病程”

  场景: 桥接治疗后缓解的复发患者，备注说明以病程为准
    假如 其 disease_status 为 完全缓解
    当 以中文筛查
    那么 indication.relapsed_refractory 的状态为 flagged
    而且 indication.relapsed_refractory 的备注提到“仍属复发或难治”

  场景: 过敏指有记录的严重过敏反应，成分尚未确认
    假如 其 hypersensitivity_to_components 为 是
    当 以中文筛查
    那么 contraindication.hypersensitivity 的状态为 flagged
    而且 contraindication.hypersensitivity 的备注提到“HICARA 的成分尚未确认”
    而且 表单中 hypersensitivity_to_components 的定义提到“严重过敏反应或过敏性休克”

  场景: 在清淋前结束的桥接治疗不属于其他抗肿瘤治疗
    假如 其 other_anticancer_therapy 为 否
    当 以中文筛查
    那么 interaction.anticancer_therapy 的状态为 clear
    而且 表单中 other_anticancer_therapy 的定义提到“在清淋前结束（含洗脱期）的桥接治疗填“否””

  场景: 免疫抑制剂的剂量与时间窗为本中心的解读
    假如 其 on_immunosuppressants 为 是
    当 以中文筛查
    那么 interaction.immunosuppressants 的状态为 flagged
    而且 interaction.immunosuppressants 的理由提到“本中心的解读”
    而且 interaction.immunosuppressants 的备注提到“托珠单抗属预期用药”

  场景: 活疫苗 6 周回溯期并非说明书原文
    假如 其 recent_live_vaccine 为 是
    当 以中文筛查
    那么 interaction.live_vaccines 的状态为 flagged
    而且 interaction.live_vaccines 的理由提到“并非 HICARA 说明书原文”

  场景: 心脏阈值引用 CTCAE v5，肝脏备注提醒 Gilbert 综合征
    假如 其 lvef_percent 为 35
    而且 其 total_bilirubin_x_uln 为 3.5
    当 以中文筛查
    那么 precaution.cardiac 的理由提到“CTCAE v5 射血分数下降 ≥3 级”
    而且 precaution.hepatic 的备注提到“Gilbert 综合征或溶血时，以直接（结合）胆红素判断”
