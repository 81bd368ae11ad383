"""Member units of Art. 3 (plus the optional ``sasac``) and the assistance actions of DOMAIN.md
section 4. ``seed_units`` loads them; an existing row is never overwritten, because the office may
have edited it since ("units are data", Art. 3 "may add members")."""

# code, 中文, English, holds a measure, release name, ack working days, answer working days, urgent hours
ACTIONS = [
    ("query", "查询", "Query", False, "", 1, 5, None),
    ("freeze", "冻结", "Freeze", True, "解除冻结", 1, 3, None),
    ("deduct", "扣划/提取", "Deduct", False, "", 1, 5, None),
    ("seize", "查封/扣押/轮候查封", "Seize", True, "解除查封/扣押", 1, 5, None),
    ("transfer", "过户/强制转让", "Transfer", False, "", 1, 10, None),
    ("restrict", "限制", "Restrict", True, "解除限制", 1, 5, None),
    ("locate", "查找、控制下落不明的被执行人", "Locate", True, "撤销查找", 1, 10, None),
    ("dispatch", "出警", "Dispatch police", False, "", 0, 0, 2),
    ("publicize", "公示/曝光/推送失信名单", "Publicize", True, "撤回", 1, 5, None),
    ("relief", "司法救助/临时救助", "Relief", False, "", 2, 15, None),
    ("coordinate", "协调督促", "Coordinate", False, "", 2, 15, None),
    ("mediate", "协助调解和解", "Mediate", False, "", 2, 15, None),
    ("refer_crime", "移送涉嫌拒不执行判决、裁定罪", "Refer a suspected crime", False, "", 2, 20, None),
]

# The legal basis printed on each action's assistance notice (ActionType.legal_basis; the office may edit
# it). Civil Procedure Law as amended in 2023 (in force 2024-01-01; the execution chapter is numbered +4
# from the 2021 text): Art. 253 query / freeze / transfer (划拨) of deposits and other property, Art. 254
# withholding and drawing income, Art. 255 seize / distrain / freeze and sell, Art. 262 transfer of title
# certificates, Art. 266 exit restriction, credit record and publication. Actions the law does not name
# cite the county's mechanism rules (公安县执行工作联动协调机制工作办法) and the Criminal Law.
_CPL = "《中华人民共和国民事诉讼法》"
_RULES = "《公安县执行工作联动协调机制工作办法》"
LEGAL_BASIS = {
    "query": f"{_CPL}第二百五十三条",
    "freeze": f"{_CPL}第二百五十三条、第二百五十五条",
    "deduct": f"{_CPL}第二百五十三条、第二百五十四条",
    "seize": f"{_CPL}第二百五十五条",
    "transfer": f"{_CPL}第二百六十二条",
    "restrict": f"{_CPL}第二百六十六条",
    "locate": f"{_RULES}第十五条",
    "dispatch": f"{_RULES}第十五条",
    "publicize": f"{_CPL}第二百六十六条",
    "relief": f"{_RULES}第二十二条、第三十一条",
    "coordinate": f"{_RULES}第十八条、第十九条",
    "mediate": f"{_RULES}第十六条",
    "refer_crime": f"《中华人民共和国刑法》第三百一十三条，{_RULES}第十四条",
}

# code, 中文, English, kind, articles, duties, {action: what it covers}
UNITS = [
    ("plc", "县委政法委", "Political-legal committee", "party", "3, 37",
     "牵头建立执行工作联席会议制度；受理成员单位不配合执行的报告。", {}),
    ("discipline", "县纪委监委", "Discipline inspection and supervision commission", "party", "10, 37, 39",
     "对拒不执行生效法律文书的公职人员、党员予以党纪处理；受理移送线索。", {}),
    ("organization", "县委组织部", "Organization department", "party", "11",
     "督促党员领导干部及公务员履行生效法律文书；受理涉及干部的移送。", {}),
    ("publicity", "县委宣传部", "Publicity department", "party", "12",
     "宣传执行工作，配合建立失信被执行人公示制度并及时曝光。",
     {"publicize": "在公众平台曝光拒不履行义务的失信被执行人（第十二条）。"}),
    ("court", "县人民法院", "County people's court", "judicial", "13, 32, 35",
     "发出执行裁定书和协助执行通知书；联席会议办公室设在法院。", {}),
    ("procuratorate", "县人民检察院", "County people's procuratorate", "judicial", "14, 38",
     "对移送的拒执罪案件及时审查起诉；查处执行工作中的职务犯罪。",
     {"refer_crime": "审查起诉涉嫌拒不执行判决、裁定罪和妨害公务罪的案件（第十四条）。"}),
    ("police", "县公安局", "Public security bureau", "government", "14, 15",
     "迅速出警维护执行现场秩序；协助查询、查封扣押车辆、查找下落不明的被执行人、限制出境。",
     {"query": "失信被执行人及其家庭成员身份、出入境证件信息及车辆信息（第十五条）。",
      "seize": "查封、扣押被执行人名下的车辆（第十五条）。",
      "locate": "查找、控制下落不明的失信被执行人（第十五条）。",
      "restrict": "限制失信被执行人出境（第十五条）。",
      "dispatch": "接到执行人员报警后迅速出警，维护执行现场秩序（第十五条）。",
      "refer_crime": "对移送的涉嫌拒不执行判决、裁定罪案件及时立案侦查（第十四条）。"}),
    ("ndrc", "县发改局", "Development and reform bureau", "government", "17",
     "落实联合惩戒合作备忘录，及时推送和撤回失信被执行人名单。",
     {"publicize": "向相关部门推送和撤回失信被执行人名单（第十七条）。"}),
    ("gov_office", "县政府办", "County government office", "government", "18",
     "协调和督促作为被执行人的政府部门自觉履行义务；规范性文件备案审查。",
     {"coordinate": "协调督促作为被执行人的政府部门履行义务（第十八条）。"}),
    ("finance", "县财政局", "Finance bureau", "government", "19",
     "查询政府采购项目信息；限制失信被执行人参加政府采购；协助执行机关事业单位为被执行人的案件。",
     {"query": "政府采购项目信息（第十九条）。",
      "restrict": "限制失信被执行人作为供应商参加政府采购、参与财政性资金项目（第十九条）。",
      "coordinate": "协助执行机关事业单位为被执行人的案件（第十九条）。"}),
    ("civilization", "县文明办", "Civilization office", "party", "30",
     "将履行生效裁判情况作为文明评选前置条件。",
     {"restrict": "失信被执行人不得参加文明单位、道德模范、慈善类奖项评选，已获荣誉予以撤销（第三十条）。"}),
    ("justice", "县司法局", "Justice bureau", "government", "16",
     "法治宣传、法律援助，协助协调和解；查询律师及律师事务所信息。",
     {"query": "失信被执行人的律师身份信息、律师事务所登记信息（第十六条）。",
      "restrict": "失信的律师、律师事务所不得参与评先评优，年检评定为不合格（第十六条）。",
      "mediate": "协助人民法院开展协调和解工作（第十六条）。"}),
    ("natres", "县自然资源和规划局", "Natural resources and planning bureau (real-estate registration centre)",
     "government", "21",
     "不动产、土地权属、探矿权、采矿权、林权查询；查封、轮候查封、过户；限制购买不动产。",
     {"query": "不动产登记、土地权属、探矿权、采矿权、工程规划审批、林权登记情况（第二十一条）。",
      "seize": "不动产查封、轮候查封（第二十一条）。",
      "transfer": "不动产过户手续（第二十一条）。",
      "restrict": "限制失信被执行人及其法定代表人等购买或取得房产、土地使用权，限制开发利用土地矿产（第二十一条）。"}),
    ("civil", "县民政局", "Civil affairs bureau (marriage registry)", "government", "22",
     "查询婚姻登记信息；限制申请政府补贴；对特困申请执行人救助。",
     {"query": "被执行人的婚姻登记信息，出具证明材料（第二十二条）。",
      "restrict": "限制失信被执行人申请政府补贴资金（第二十二条）。",
      "relief": "特困申请执行人纳入最低生活保障或给予临时救助（第二十二条）。"}),
    ("agri", "县农业农村局", "Agriculture and rural affairs bureau", "government", "28",
     "查询滩涂、水域使用权登记；限制申报国有自然资源利用项目。",
     {"query": "被执行人滩涂、水域使用权登记信息（第二十八条）。",
      "restrict": "限制失信被执行人申报水域、滩涂等国有自然资源利用项目（第二十八条）。"}),
    ("pboc", "人行公安支行", "People's Bank of China, county sub-branch", "bank", "26",
     "共享失信被执行人名单及执行案件信息。",
     {"query": "被执行人开户及征信相关信息（第二十六条）。"}),
    ("bank-icbc", "中国工商银行公安支行", "ICBC county branch", "bank", "26",
     "查询、冻结、扣划被执行人存款；对失信被执行人限制贷款、信用卡。", None),
    ("bank-abc", "中国农业银行公安支行", "Agricultural Bank of China county branch", "bank", "26",
     "查询、冻结、扣划被执行人存款；对失信被执行人限制贷款、信用卡。", None),
    ("bank-ccb", "中国建设银行公安支行", "China Construction Bank county branch", "bank", "26",
     "查询、冻结、扣划被执行人存款；对失信被执行人限制贷款、信用卡。", None),
    ("bank-boc", "中国银行公安支行", "Bank of China county branch", "bank", "26",
     "查询、冻结、扣划被执行人存款；对失信被执行人限制贷款、信用卡。", None),
    ("tax", "县税务局", "Tax bureau", "government", "27",
     "查询税务登记、缴税记录、缴税银行账号及退税信息；协助提取退税。",
     {"query": "税务登记、缴税记录、缴税银行账号及退税账户、退税金额及退税时间（第二十七条）。",
      "deduct": "提取被执行人的退税款（第二十七条）。"}),
    ("market", "县市场监督管理局", "Market regulation bureau", "government", "20",
     "信息查询；股权冻结、强制转让；公示查封冻结信息；市场准入和任职资格限制。",
     {"query": "企业登记、股权等信息（第二十条）。",
      "freeze": "冻结、解除冻结股权（第二十条）。",
      "transfer": "股权强制转让（第二十条）。",
      "publicize": "公示查封、冻结、解除冻结、强制转让等信息（第二十条）。",
      "restrict": "对失信被执行人实施市场准入和任职资格限制（第二十条）。"}),
    ("hrss", "县人社局", "Human resources and social security bureau", "government", "23",
     "查询、冻结及提取社会保险资金；限制申请社会保障资金支持。",
     {"query": "被执行人社会保险资金等信息（第二十三条）。",
      "freeze": "冻结被执行人社会保险资金（第二十三条）。",
      "deduct": "提取被执行人社会保险资金（第二十三条）。",
      "restrict": "限制失信被执行人申请社会保障资金支持（第二十三条）。"}),
    ("fund", "县住房公积金管理办事处", "Housing provident fund office", "government", "29",
     "查询、冻结及提取公积金；限制转移财产。",
     {"query": "被执行人住房公积金账户信息（第二十九条）。",
      "freeze": "冻结被执行人住房公积金（第二十九条）。",
      "deduct": "提取被执行人住房公积金（第二十九条）。",
      "restrict": "限制失信被执行人转移财产（第二十九条）。"}),
    ("regulator", "县银监办", "Banking and insurance regulatory office", "government", "25",
     "监督金融机构协助执行；限制失信被执行人设立融资性担保公司及任职。",
     {"restrict": "限制失信被执行人设立融资性担保公司，任职金融机构董事、监事、高级管理人员（第二十五条）。"}),
    ("insurance-picc", "中国人民财产保险公安支公司", "PICC county sub-branch", "insurance", "31",
     "冻结、提取理赔款；限制购买高额保险产品；发放保险救助资金。", "insurance"),
    ("insurance-chinalife", "中国人寿保险公安支公司", "China Life county sub-branch", "insurance", "31",
     "冻结、提取理赔款；限制购买高额保险产品；发放保险救助资金。", "insurance"),
    ("armed_forces", "县人武部", "People's armed forces department", "other", "3", "联席会议成员单位。", {}),
    ("sasac", "国有资产监督管理机构", "State-owned assets supervision", "government", "24",
     "国有资产处置、产权界定；限制参与国有产权交易（可选成员，第三条“可增加其他成员单位”）。",
     {"query": "涉及国有资产处置、产权界定的信息（第二十四条）。",
      "restrict": "限制失信被执行人参与国有企业资产、国家资产等国有产权交易（第二十四条）。"}),
]

BANK_CAPABILITIES = {
    "query": "被执行人在本行的存款、账户及交易信息（第二十六条）。",
    "freeze": "冻结被执行人存款（第二十六条）。",
    "deduct": "扣划被执行人存款（第二十六条）。",
    "restrict": "对失信被执行人限制贷款、限制办理信用卡（第二十六条）。",
}
INSURANCE_CAPABILITIES = {
    "query": "被执行人的保单、理赔款信息（第三十一条）。",
    "freeze": "冻结被执行人理赔款项（第三十一条）。",
    "deduct": "提取被执行人理赔款项（第三十一条）。",
    "restrict": "限制失信被执行人等支付高额保费购买具有现金价值的保险产品（第三十一条）。",
    "relief": "及时审查、发放保险救助资金（第三十一条）。",
}


def capabilities_for(entry) -> dict:
    caps = entry[6]
    if caps is None:
        return BANK_CAPABILITIES
    if caps == "insurance":
        return INSURANCE_CAPABILITIES
    return caps
