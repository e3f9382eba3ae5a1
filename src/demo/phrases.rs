//! The demo city's vocabulary: units, places and the recurring concerns of its citizens.
//! All names are invented; nothing here comes from real messages.

use entity::vocab::{OpinionKind, UnitKind};

pub const REGIONS: &[&str] = &["城关区", "江北区", "江南区", "高新区", "临湖县", "青山县"];

pub struct UnitSpec {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: UnitKind,
    pub region: Option<&'static str>,
    /// Categories this unit leads on; the first listed unit of a category is its default.
    pub categories: &'static [&'static str],
    /// How well this unit tends to handle cases, 0.0–1.0, so scores differ believably.
    pub quality: f64,
}

pub const UNITS: &[UnitSpec] = &[
    UnitSpec {
        code: "ZJJ",
        name: "市住房和城乡建设局",
        kind: UnitKind::Department,
        region: None,
        categories: &["城乡建设"],
        quality: 0.70,
    },
    UnitSpec {
        code: "STHJJ", name: "市生态环境局", kind: UnitKind::Department, region: None, categories: &["环境保护"], quality: 0.80
    },
    UnitSpec {
        code: "JTYSJ", name: "市交通运输局", kind: UnitKind::Department, region: None, categories: &["交通运输"], quality: 0.65
    },
    UnitSpec { code: "JYJ", name: "市教育局", kind: UnitKind::Department, region: None, categories: &["教育文体"], quality: 0.75 },
    UnitSpec {
        code: "RSJ",
        name: "市人力资源和社会保障局",
        kind: UnitKind::Department,
        region: None,
        categories: &["劳动和社会保障"],
        quality: 0.72,
    },
    UnitSpec { code: "SWJ", name: "市商务局", kind: UnitKind::Department, region: None, categories: &["商贸旅游"], quality: 0.78 },
    UnitSpec {
        code: "WGLJ",
        name: "市文化广电和旅游局",
        kind: UnitKind::Department,
        region: None,
        categories: &["商贸旅游", "教育文体"],
        quality: 0.82,
    },
    UnitSpec {
        code: "WJW", name: "市卫生健康委员会", kind: UnitKind::Department, region: None, categories: &["卫生计生"], quality: 0.74
    },
    UnitSpec {
        code: "CGJ", name: "市城市管理局", kind: UnitKind::Department, region: None, categories: &["城乡建设"], quality: 0.60
    },
    UnitSpec {
        code: "SCJGJ",
        name: "市市场监督管理局",
        kind: UnitKind::Department,
        region: None,
        categories: &["商贸旅游"],
        quality: 0.76,
    },
    UnitSpec {
        code: "JJZD",
        name: "市公安局交通警察支队",
        kind: UnitKind::Department,
        region: None,
        categories: &["交通运输"],
        quality: 0.68,
    },
    UnitSpec { code: "SWUJ", name: "市水务局", kind: UnitKind::Department, region: None, categories: &["城乡建设"], quality: 0.66 },
    UnitSpec {
        code: "YBJ",
        name: "市医疗保障局",
        kind: UnitKind::Department,
        region: None,
        categories: &["卫生计生", "劳动和社会保障"],
        quality: 0.71,
    },
    UnitSpec {
        code: "ZRZYJ",
        name: "市自然资源和规划局",
        kind: UnitKind::Department,
        region: None,
        categories: &["城乡建设"],
        quality: 0.69,
    },
    UnitSpec {
        code: "CGQ", name: "城关区人民政府", kind: UnitKind::District, region: Some("城关区"), categories: &[], quality: 0.73
    },
    UnitSpec {
        code: "JBQ", name: "江北区人民政府", kind: UnitKind::District, region: Some("江北区"), categories: &[], quality: 0.67
    },
    UnitSpec {
        code: "JNQ", name: "江南区人民政府", kind: UnitKind::District, region: Some("江南区"), categories: &[], quality: 0.77
    },
    UnitSpec {
        code: "GXQ", name: "高新区管理委员会", kind: UnitKind::District, region: Some("高新区"), categories: &[], quality: 0.79
    },
    UnitSpec {
        code: "LHX", name: "临湖县人民政府", kind: UnitKind::District, region: Some("临湖县"), categories: &[], quality: 0.62
    },
    UnitSpec {
        code: "QSX", name: "青山县人民政府", kind: UnitKind::District, region: Some("青山县"), categories: &[], quality: 0.70
    },
];

/// A concern many citizens raise: the recurring material the theme miner should find.
pub struct Concern {
    pub category: &'static str,
    pub region: &'static str,
    pub lead: &'static str,
    pub cooperating: &'static [&'static str],
    pub kind: OpinionKind,
    /// Relative number of opinions.
    pub weight: u32,
    /// Month (0 = twelve months ago, 11 = this month) when it peaked.
    pub peak_month: u32,
    pub titles: &'static [&'static str],
    pub bodies: &'static [&'static str],
    pub reply: &'static str,
    pub problem_title: &'static str,
    pub measures: &'static str,
    pub plan: &'static str,
    pub target: &'static str,
}

pub const CONCERNS: &[Concern] = &[
    Concern {
        category: "环境保护",
        region: "江北区",
        lead: "STHJJ",
        cooperating: &["JBQ", "ZJJ"],
        kind: OpinionKind::Complaint,
        weight: 14,
        peak_month: 7,
        titles: &[
            "滨江花园旁工地夜间施工噪音扰民",
            "江北区滨江花园附近工地半夜还在施工",
            "投诉滨江路工地夜间违规施工",
            "滨江花园小区夜间施工噪音严重影响休息",
            "滨江路工地晚上打桩声音太大",
            "江北区滨江路施工噪音问题何时解决",
        ],
        bodies: &[
            "滨江花园小区东侧的工地{time}还在施工，打桩机和渣土车声音很大，{who}根本睡不着，已经持续{duration}了。",
            "江北区滨江路在建项目经常夜间施工，{time}仍有机械作业，噪音扰民严重，希望相关部门管一管。",
            "我住在滨江花园{building}，工地夜里施工{duration}，家里{who}休息受到很大影响，请求查处夜间违规施工。",
            "滨江路工地夜间施工是否办理了夜间施工许可？{time}还在浇筑混凝土，噪音非常大。",
        ],
        reply: "经市生态环境局会同江北区执法人员现场核查，该工地存在未经许可夜间施工情况，已责令立即停止夜间作业并依法立案处罚，后续将加强夜间巡查。",
        problem_title: "江北区滨江路在建工地夜间违规施工噪音扰民",
        measures: "责令施工单位停止夜间违规作业；对夜间施工许可严格审批；安装噪声在线监测设备并联网；夜间执法巡查每周不少于三次。",
        plan: "第一阶段立案查处并停止违规作业；第二阶段安装噪声监测设备；第三阶段建立夜间施工公示和投诉快速处置机制。",
        target: "夜间噪声达标，群众投诉明显下降",
    },
    Concern {
        category: "城乡建设",
        region: "城关区",
        lead: "CGJ",
        cooperating: &["CGQ", "SCJGJ"],
        kind: OpinionKind::Complaint,
        weight: 12,
        peak_month: 4,
        titles: &[
            "人民路菜市场周边占道经营严重",
            "城关区人民路菜场门口摊贩占道",
            "人民路农贸市场附近道路堵塞",
            "反映人民路菜市场外流动摊贩问题",
            "人民路菜场周边占道经营影响通行",
        ],
        bodies: &[
            "城关区人民路菜市场门口每天{time}摊贩占道经营，人行道全被占满，{who}只能走机动车道，非常危险。",
            "人民路农贸市场周边流动摊点越来越多，垃圾遍地，车辆无法通行，希望城管部门加强管理。",
            "人民路菜场外面占道经营持续{duration}了，早高峰堵得水泄不通，建议设置规范的临时疏导点。",
        ],
        reply: "城管部门已在人民路菜市场周边增派执法力量，规划设置便民疏导点，引导流动摊贩入场经营，并将持续开展常态化巡查。",
        problem_title: "城关区人民路农贸市场周边占道经营和交通拥堵",
        measures: "设置便民疏导点引导摊贩入场；早晚高峰定岗执勤；改造市场出入口并施划停车泊位。",
        plan: "近期增派执法力量集中整治；中期建设便民疏导点；远期完成农贸市场提质改造。",
        target: "市场周边道路畅通，人行道不被占用",
    },
    Concern {
        category: "交通运输",
        region: "高新区",
        lead: "JJZD",
        cooperating: &["GXQ", "JTYSJ"],
        kind: OpinionKind::Suggestion,
        weight: 11,
        peak_month: 9,
        titles: &[
            "科技大道早晚高峰拥堵严重",
            "建议优化科技大道红绿灯配时",
            "高新区科技大道上下班堵车",
            "科技大道与创新路口拥堵问题",
            "高新区科技大道通勤太堵了",
        ],
        bodies: &[
            "每天{time}科技大道从创新路口开始排长队，通过一个路口要{duration}，建议优化信号灯配时。",
            "高新区企业越来越多，科技大道早晚高峰非常拥堵，建议增设左转待行区、错峰上下班。",
            "科技大道与创新路交叉口红绿灯时间不合理，直行绿灯太短，{who}每天上班都要迟到。",
        ],
        reply: "交警支队已对科技大道沿线信号灯进行配时优化，增设左转待行区，并在早晚高峰安排警力疏导，后续将结合道路改造进一步提升通行能力。",
        problem_title: "高新区科技大道早晚高峰交通拥堵",
        measures: "优化沿线信号配时；增设左转待行区；高峰期警力疏导；推动企业错峰上下班。",
        plan: "先期完成信号优化和渠化改造；同步开展道路拓宽可行性研究；长期推进与轨道交通接驳。",
        target: "高峰期平均通过时间缩短三成",
    },
    Concern {
        category: "环境保护",
        region: "临湖县",
        lead: "STHJJ",
        cooperating: &["LHX"],
        kind: OpinionKind::Complaint,
        weight: 10,
        peak_month: 6,
        titles: &[
            "临湖县化工园区附近有刺鼻异味",
            "投诉临湖工业园晚上排放异味",
            "临湖县城南化工厂气味难闻",
            "化工园区异味影响周边村民生活",
            "临湖化工园区废气扰民",
        ],
        bodies: &[
            "临湖县化工园区附近{time}经常闻到刺鼻的化学异味，{who}出现咳嗽、头晕，请环保部门查一查。",
            "城南化工园区晚上偷排废气，味道很大，附近村民不敢开窗，已经持续{duration}。",
            "住在临湖工业园旁边，空气中总有一股臭味，怀疑企业废气处理设施没有正常运行。",
        ],
        reply: "市生态环境局已对临湖化工园区开展夜间突击检查，对两家废气处理设施运行不正常的企业立案处罚，并在园区周边加密布设空气监测点。",
        problem_title: "临湖县化工园区周边异味扰民",
        measures: "夜间突击检查；问题企业停产整改；园区周边加密空气自动监测点；建立异味溯源机制。",
        plan: "立即查处问题企业；三个月内完成废气治理设施升级；建立园区环境管家常态监管。",
        target: "园区周边异味投诉清零",
    },
    Concern {
        category: "教育文体",
        region: "江南区",
        lead: "JYJ",
        cooperating: &["JNQ"],
        kind: OpinionKind::Consult,
        weight: 9,
        peak_month: 5,
        titles: &[
            "学府小区配套小学学位紧张",
            "咨询江南区学府小区孩子入学问题",
            "学府小区业主孩子上学难",
            "江南区学府片区小学学位不足",
            "学府小区对口小学能否扩招",
        ],
        bodies: &[
            "江南区学府小区交房{duration}，配套小学一直没有建成，{who}明年就要上一年级，请问对口哪所学校？",
            "学府片区新建小区很多，但附近只有一所小学，学位严重不足，希望尽快建设配套学校。",
            "咨询学府小区的孩子今年秋季入学如何安排，是否能就近入学？",
        ],
        reply: "经市教育局核实，学府片区配套小学正在建设，预计明年秋季投入使用；过渡期间由江南区实验小学统筹安排学位，确保适龄儿童就近入学。",
        problem_title: "江南区学府片区小学学位不足",
        measures: "加快配套小学建设；过渡期统筹周边学校学位；公开招生划片方案。",
        plan: "年内完成主体工程；明年秋季开学前投入使用；同步做好教师配备。",
        target: "片区适龄儿童全部就近入学",
    },
    Concern {
        category: "城乡建设",
        region: "城关区",
        lead: "ZJJ",
        cooperating: &["CGQ"],
        kind: OpinionKind::Suggestion,
        weight: 9,
        peak_month: 2,
        titles: &[
            "老旧小区加装电梯审批太慢",
            "城关区老小区加装电梯怎么申请",
            "建议简化老旧小区加装电梯流程",
            "纺织厂宿舍加装电梯进展缓慢",
            "老旧小区加装电梯补贴政策咨询",
        ],
        bodies: &[
            "城关区纺织厂宿舍住的多是老人，{who}上下楼非常困难，加装电梯申请提交{duration}了还没批下来。",
            "老旧小区加装电梯需要跑很多部门，建议实行一窗受理、并联审批。",
            "请问城关区老旧小区加装电梯有没有财政补贴？需要多少户业主同意？",
        ],
        reply: "市住建局已出台老旧小区加装电梯联合审批办法，实行一窗受理、并联审批，审批时限压缩至20个工作日，并按每台给予财政补贴。",
        problem_title: "城关区老旧小区加装电梯审批慢",
        measures: "实行一窗受理并联审批；公布补贴标准；社区协调业主意见。",
        plan: "出台联合审批办法；建立加装电梯项目库；按年度推进。",
        target: "审批时限压缩至20个工作日",
    },
    Concern {
        category: "城乡建设",
        region: "青山县",
        lead: "SWUJ",
        cooperating: &["QSX"],
        kind: OpinionKind::Help,
        weight: 8,
        peak_month: 8,
        titles: &[
            "青山县石门村自来水发黄",
            "青山县农村自来水经常停水",
            "石门村饮用水水质差",
            "求助：青山县山区村自来水浑浊",
            "青山县农村供水不稳定",
        ],
        bodies: &[
            "青山县石门村的自来水最近{duration}一直发黄，烧开后有沉淀，{who}不敢喝，请帮忙解决。",
            "我们村{time}经常停水，也没有提前通知，生活很不方便。",
            "山区村自来水浑浊，怀疑水源受到污染，希望水务部门检测水质。",
        ],
        reply: "市水务局已对石门村供水水源和管网进行检测，更换老化管道并加装过滤设施，水质检测已达标，后续将按月公开水质检测结果。",
        problem_title: "青山县山区村自来水水质不稳定",
        measures: "检测水源水质；更换老化管网；加装过滤消毒设施；按月公开水质。",
        plan: "先行应急供水；年内完成管网改造；纳入城乡供水一体化工程长期推进。",
        target: "农村饮用水水质稳定达标",
    },
    Concern {
        category: "交通运输",
        region: "城关区",
        lead: "JTYSJ",
        cooperating: &[],
        kind: OpinionKind::Suggestion,
        weight: 7,
        peak_month: 10,
        titles: &[
            "12路公交停运后出行不便",
            "建议恢复12路公交车",
            "城关区12路公交取消后老人出行难",
            "12路公交线路调整意见",
            "希望重新开通12路公交",
        ],
        bodies: &[
            "12路公交停运后，火车站到老城区没有直达公交，{who}去医院要转两趟车，希望恢复。",
            "城关区12路公交是很多老人每天出行的线路，取消后非常不便，建议调整而不是停运。",
            "12路停运已经{duration}，替代线路班次太少，{time}要等很久。",
        ],
        reply: "市交通运输局已根据群众意见调整线路方案，开通12路微循环公交，连接火车站与老城区，高峰期发车间隔10分钟。",
        problem_title: "城关区12路公交停运后群众出行不便",
        measures: "开通微循环替代线路；加密高峰班次；公开线路调整听证意见。",
        plan: "先开通微循环线路；三个月后评估客流并优化。",
        target: "老城区至火车站公交直达",
    },
    Concern {
        category: "卫生计生",
        region: "江南区",
        lead: "YBJ",
        cooperating: &["WJW"],
        kind: OpinionKind::Complaint,
        weight: 7,
        peak_month: 3,
        titles: &[
            "异地就医医保报销太慢",
            "医保异地报销三个月还没到账",
            "投诉医保报销周期长",
            "咨询异地住院医保报销进度",
            "医保异地结算手续繁琐",
        ],
        bodies: &[
            "{who}在外地住院，回来提交医保报销材料已经{duration}了，到现在还没有到账。",
            "异地就医报销需要提交很多纸质材料，来回跑了好几趟，建议推行线上办理。",
            "请问异地住院的医保报销一般多久能到账？在哪里可以查询进度？",
        ],
        reply: "市医疗保障局已开通异地就医直接结算和线上报销申请，报销办理时限压缩至15个工作日，可通过医保服务平台查询进度。",
        problem_title: "异地就医医保报销周期长",
        measures: "推广异地就医直接结算；开通线上申报；压缩办理时限并公开进度查询。",
        plan: "年内实现线上申报全覆盖；持续扩大直接结算定点医院范围。",
        target: "报销办理时限不超过15个工作日",
    },
    Concern {
        category: "劳动和社会保障",
        region: "高新区",
        lead: "RSJ",
        cooperating: &["GXQ"],
        kind: OpinionKind::Help,
        weight: 6,
        peak_month: 0,
        titles: &[
            "高新区某工地拖欠农民工工资",
            "求助：干了半年活拿不到工资",
            "建筑工地欠薪问题求助",
            "高新区厂房项目拖欠工资",
            "农民工讨薪求助",
        ],
        bodies: &[
            "我们在高新区一个厂房项目干活，包工头拖欠{who}工资{duration}，请劳动监察帮忙讨薪。",
            "年底了工地还拖欠工资，老板一直推脱，二十多个工人等着拿钱回家过年。",
            "建筑公司拖欠农民工工资，去问了很多次都说没钱，请政府帮帮我们。",
        ],
        reply: "市人社局劳动保障监察支队已约谈施工总包单位，督促其从工资保证金中先行垫付，拖欠工资已全部发放到位。",
        problem_title: "高新区在建项目拖欠农民工工资",
        measures: "约谈总包单位；启用工资保证金先行垫付；落实农民工工资专户制度。",
        plan: "立即清偿欠薪；开展在建项目工资支付专项检查。",
        target: "欠薪全部清偿",
    },
    Concern {
        category: "城乡建设",
        region: "江北区",
        lead: "ZJJ",
        cooperating: &["JBQ"],
        kind: OpinionKind::Complaint,
        weight: 6,
        peak_month: 9,
        titles: &[
            "幸福里小区物业不作为",
            "江北区幸福里小区停车位被占",
            "投诉幸福里小区物业乱收费",
            "幸福里小区电梯经常故障",
            "幸福里小区物业服务差",
        ],
        bodies: &[
            "江北区幸福里小区物业收费不公开，电梯坏了{duration}没人修，{who}只能爬楼梯。",
            "幸福里小区地下车位被外来车辆长期占用，物业不管，业主回家没地方停车。",
            "小区物业管理混乱，垃圾清运不及时，{time}楼道里味道很大。",
        ],
        reply: "江北区住建部门已约谈幸福里小区物业公司，责令公开收费明细、修复电梯并规范停车管理，社区将定期回访业主满意度。",
        problem_title: "江北区幸福里小区物业服务不规范",
        measures: "约谈物业公司；公开收费明细；限期修复电梯；建立业主评议机制。",
        plan: "一个月内完成整改；纳入物业企业信用评价。",
        target: "业主满意度明显提升",
    },
    Concern {
        category: "商贸旅游",
        region: "城关区",
        lead: "WGLJ",
        cooperating: &["CGQ", "SCJGJ"],
        kind: OpinionKind::Complaint,
        weight: 5,
        peak_month: 9,
        titles: &[
            "古城景区停车收费太贵",
            "城关古城景区周边乱收停车费",
            "投诉古城景区商户强买强卖",
            "古城景区节假日停车难",
            "古城景区门票价格咨询",
        ],
        bodies: &[
            "国庆期间去城关古城景区，周边停车场每小时收费二十元，还不开发票，{who}觉得不合理。",
            "古城景区里有商户强行推销，不买还态度很差，影响城市形象。",
            "古城景区节假日停车太难，{time}找车位要{duration}，建议增设临时停车场和接驳车。",
        ],
        reply: "市文旅局会同市场监管部门对古城景区周边停车收费开展专项检查，规范收费标准并明码标价，节假日开通免费接驳车。",
        problem_title: "城关古城景区周边停车收费不规范",
        measures: "规范停车收费并明码标价；查处强买强卖；节假日开通接驳车。",
        plan: "节前完成专项检查；建设景区停车诱导系统。",
        target: "景区投诉量下降一半",
    },
];

/// Fillers for the `{…}` slots of concern bodies.
pub const TIMES: &[&str] = &["每天晚上十点以后", "凌晨一两点", "早上六点", "周末", "节假日", "每天早晚高峰", "晚上"];
pub const DURATIONS: &[&str] = &["一个多月", "两个星期", "半年", "三个月", "快一年", "十几天", "好几个月"];
pub const WHOS: &[&str] = &["家里老人", "孩子", "我们全家", "附近居民", "我父母", "很多业主", "我"];
pub const BUILDINGS: &[&str] = &["3栋", "5栋", "8栋", "12栋", "2单元", "东区"];

/// Everyday opinions that do not recur: the background the themes stand out from.
pub struct Everyday {
    pub category: &'static str,
    pub kind: OpinionKind,
    pub title: &'static str,
    pub body: &'static str,
}

pub const EVERYDAY: &[Everyday] = &[
    Everyday {
        category: "劳动和社会保障",
        kind: OpinionKind::Consult,
        title: "灵活就业人员社保怎么缴纳",
        body: "想咨询一下灵活就业人员在{region}缴纳养老保险的流程和缴费档次。",
    },
    Everyday {
        category: "劳动和社会保障",
        kind: OpinionKind::Consult,
        title: "失业金申领条件咨询",
        body: "公司裁员后，请问在{region}申领失业保险金需要什么材料？",
    },
    Everyday {
        category: "劳动和社会保障",
        kind: OpinionKind::Help,
        title: "退休手续办理遇到困难",
        body: "档案里出生日期不一致，退休手续一直办不下来，请帮忙协调。",
    },
    Everyday {
        category: "教育文体",
        kind: OpinionKind::Suggestion,
        title: "建议学校体育场馆周末开放",
        body: "{region}很多学校操场周末闲置，建议有序向附近居民开放。",
    },
    Everyday {
        category: "教育文体",
        kind: OpinionKind::Complaint,
        title: "校外培训机构退费难",
        body: "孩子报的培训班突然停课，交的学费退不回来，希望教育部门介入。",
    },
    Everyday {
        category: "教育文体",
        kind: OpinionKind::Suggestion,
        title: "建议增加社区图书室开放时间",
        body: "社区图书室只在工作日白天开放，上班族根本用不上，建议晚上和周末开放。",
    },
    Everyday {
        category: "卫生计生",
        kind: OpinionKind::Complaint,
        title: "医院挂号排队时间太长",
        body: "{region}人民医院挂号要排很久，自助机经常故障，建议增加窗口。",
    },
    Everyday {
        category: "卫生计生",
        kind: OpinionKind::Consult,
        title: "新生儿出生医学证明办理",
        body: "请问新生儿出生医学证明丢失后如何补办？",
    },
    Everyday {
        category: "卫生计生",
        kind: OpinionKind::Praise,
        title: "表扬社区医院家庭医生",
        body: "{region}社区卫生服务中心的家庭医生定期上门给老人体检，服务很贴心，特此表扬。",
    },
    Everyday {
        category: "交通运输",
        kind: OpinionKind::Suggestion,
        title: "建议在小学门口增设斑马线",
        body: "{region}一所小学门口没有斑马线和减速带，孩子上学过马路很危险。",
    },
    Everyday {
        category: "交通运输",
        kind: OpinionKind::Complaint,
        title: "出租车拒载绕路",
        body: "在火车站打车，司机拒载短途乘客，还有绕路情况，请运管部门处理。",
    },
    Everyday {
        category: "交通运输",
        kind: OpinionKind::Consult,
        title: "电动车上牌需要什么材料",
        body: "新买的电动自行车在{region}上牌需要带哪些材料？在哪里办理？",
    },
    Everyday {
        category: "城乡建设",
        kind: OpinionKind::Complaint,
        title: "路灯坏了很久没人修",
        body: "{region}一条小路的路灯坏了很久，晚上出行很不安全。",
    },
    Everyday {
        category: "城乡建设",
        kind: OpinionKind::Help,
        title: "下水道堵塞污水外溢",
        body: "小区门口下水道堵塞，污水流到路面上，请尽快疏通。",
    },
    Everyday {
        category: "城乡建设",
        kind: OpinionKind::Consult,
        title: "公租房申请条件咨询",
        body: "请问{region}公租房申请需要满足什么条件，收入标准是多少？",
    },
    Everyday {
        category: "城乡建设",
        kind: OpinionKind::Complaint,
        title: "小区绿化带被毁种菜",
        body: "有居民把小区绿化带改成菜地，物业不管，影响环境。",
    },
    Everyday {
        category: "环境保护",
        kind: OpinionKind::Complaint,
        title: "餐馆油烟直排扰民",
        body: "楼下餐馆油烟没有净化直接排放，家里窗户都不敢开。",
    },
    Everyday {
        category: "环境保护",
        kind: OpinionKind::Report,
        title: "举报河道偷排污水",
        body: "{region}一条河道边有企业夜间偷排污水，河水发黑发臭。",
    },
    Everyday {
        category: "环境保护",
        kind: OpinionKind::Suggestion,
        title: "建议增设垃圾分类投放点",
        body: "小区只有一个垃圾分类投放点，距离远，建议增加。",
    },
    Everyday {
        category: "商贸旅游",
        kind: OpinionKind::Complaint,
        title: "超市商品价格标签不符",
        body: "{region}一家超市标价和结账价格不一致，多收了钱。",
    },
    Everyday {
        category: "商贸旅游",
        kind: OpinionKind::Report,
        title: "举报无证经营小作坊",
        body: "小区附近有无证食品小作坊，卫生条件很差。",
    },
    Everyday {
        category: "商贸旅游",
        kind: OpinionKind::Praise,
        title: "表扬市场监管所快速处理投诉",
        body: "上周投诉的预付卡问题，市场监管所两天就帮我退了款，效率很高。",
    },
    Everyday {
        category: "其他",
        kind: OpinionKind::Consult,
        title: "居住证办理流程咨询",
        body: "外地户口在{region}工作，请问居住证怎么办理？",
    },
    Everyday {
        category: "其他",
        kind: OpinionKind::Praise,
        title: "感谢政务服务中心帮办代办",
        body: "政务服务中心的工作人员帮我们老人全程代办，非常感谢。",
    },
    Everyday {
        category: "其他",
        kind: OpinionKind::Suggestion,
        title: "建议政务服务中心延长午间服务",
        body: "上班族只有中午有空，建议政务服务中心午间不休息。",
    },
];

/// A problem on the list that did not start from citizens' opinions.
pub struct ListedProblem {
    pub category: &'static str,
    pub title: &'static str,
    /// The leading department; none where the region's own government leads.
    pub lead: Option<&'static str>,
    pub measures: &'static str,
}

pub const LISTED_PROBLEMS: &[ListedProblem] = &[
    ListedProblem {
        category: "城乡建设",
        title: "{region}部分路段井盖破损缺失",
        lead: Some("CGJ"),
        measures: "全面排查井盖；破损缺失井盖48小时内修复；建立井盖权属单位责任清单。",
    },
    ListedProblem {
        category: "城乡建设",
        title: "{region}背街小巷路面坑洼",
        lead: Some("ZJJ"),
        measures: "纳入背街小巷改造计划；分批次修复路面；完善排水设施。",
    },
    ListedProblem {
        category: "城乡建设",
        title: "{region}城中村消防通道堵塞",
        lead: Some("ZJJ"),
        measures: "清理占用消防通道杂物；施划消防通道标线；建立网格巡查。",
    },
    ListedProblem {
        category: "环境保护",
        title: "{region}黑臭水体治理不彻底",
        lead: Some("STHJJ"),
        measures: "截污纳管；清淤疏浚；生态补水；建立河长巡河制度。",
    },
    ListedProblem {
        category: "环境保护",
        title: "{region}建筑工地扬尘管控不到位",
        lead: Some("STHJJ"),
        measures: "落实六个百分百；安装扬尘在线监测；对违规工地停工整改。",
    },
    ListedProblem {
        category: "环境保护",
        title: "{region}餐饮油烟扰民问题突出",
        lead: Some("STHJJ"),
        measures: "督促安装油烟净化设施；定期清洗检测；对拒不整改的依法处罚。",
    },
    ListedProblem {
        category: "交通运输",
        title: "{region}学校周边上下学时段交通秩序乱",
        lead: Some("JJZD"),
        measures: "设置护学岗；增设减速带和标志标线；规范接送车辆停放。",
    },
    ListedProblem {
        category: "交通运输",
        title: "{region}公交站台设施老化",
        lead: Some("JTYSJ"),
        measures: "更换老化站台；增设电子站牌；完善无障碍设施。",
    },
    ListedProblem {
        category: "交通运输",
        title: "{region}农村客运班次不足",
        lead: Some("JTYSJ"),
        measures: "优化农村客运线路；推行预约响应式公交；增加高峰班次。",
    },
    ListedProblem {
        category: "教育文体",
        title: "{region}公办幼儿园学位不足",
        lead: Some("JYJ"),
        measures: "新建改扩建公办幼儿园；扶持普惠性民办园；公开招生信息。",
    },
    ListedProblem {
        category: "教育文体",
        title: "{region}全民健身设施损坏",
        lead: Some("WGLJ"),
        measures: "排查维修健身器材；明确管护责任单位；新增社区健身点。",
    },
    ListedProblem {
        category: "劳动和社会保障",
        title: "{region}养老服务设施不足",
        lead: Some("RSJ"),
        measures: "建设社区养老服务站；推进居家养老上门服务；开展助餐服务。",
    },
    ListedProblem {
        category: "劳动和社会保障",
        title: "{region}就业服务不精准",
        lead: Some("RSJ"),
        measures: "建立重点群体就业台账；开展订单式培训；举办专场招聘会。",
    },
    ListedProblem {
        category: "商贸旅游",
        title: "{region}农贸市场环境脏乱",
        lead: Some("SCJGJ"),
        measures: "实施农贸市场提质改造；落实市场开办方主体责任；定期检查评比。",
    },
    ListedProblem {
        category: "商贸旅游",
        title: "{region}预付卡消费纠纷多发",
        lead: Some("SCJGJ"),
        measures: "建立预付卡资金监管；开展专项整治；畅通投诉渠道。",
    },
    ListedProblem {
        category: "卫生计生",
        title: "{region}基层医疗机构药品配备不全",
        lead: Some("WJW"),
        measures: "完善基层药品目录；建立上下级医院药品联动配送。",
    },
    ListedProblem {
        category: "卫生计生",
        title: "{region}医院周边停车难",
        lead: Some("WJW"),
        measures: "挖潜增设停车泊位；推行预约停车；开通就医公交专线。",
    },
    ListedProblem {
        category: "其他",
        title: "{region}政务服务事项办理环节多",
        lead: None,
        measures: "推行一件事一次办；精简材料；延时错时服务。",
    },
];

pub const PROGRESS_STEPS: &[&str] = &[
    "召开专题会议，研究制定整改方案，明确责任分工和时间节点。",
    "完成现场勘查和问题摸底，形成问题台账。",
    "整改方案经审定后公开，开始组织实施。",
    "主体整改工作按计划推进，已完成阶段性任务。",
    "组织回头看，对群众反映集中的点位进行复查。",
    "邀请群众代表现场查看整改效果，收集意见建议。",
    "完成全部整改任务，形成整改报告。",
];

pub const DEPARTMENT_POSTS: &[&str] = &["分管副局长", "局长", "分管副主任", "执法支队支队长", "业务处室负责人"];

pub const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "胡", "朱", "郭", "何", "罗", "高", "林"];

pub const RATING_TAGS_GOOD: &[&str] = &["办理及时", "态度热情", "结果满意", "沟通顺畅"];
pub const RATING_TAGS_BAD: &[&str] = &["办理拖延", "答复敷衍", "问题未解决", "推诿扯皮"];
pub const RATING_COMMENTS_GOOD: &[&str] = &["问题解决了，谢谢！", "工作人员很负责，及时回复。", "效率很高，点赞。"];
pub const RATING_COMMENTS_BAD: &[&str] = &["只是回复了，问题还在。", "答复太笼统，没有实际行动。", "等了很久才处理。"];
