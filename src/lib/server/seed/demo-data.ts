/*
 * DEMO DATA — NOT the official candidate list.
 *
 * Demo candidates for a livelihood-project vote (民生实事项目人大代表票决制), modelled on the
 * 2022 tasks in Taizhou's 2022 government work report
 * (source: shared/seed/taizhou-2022-government-work-report.txt, part 三 "2022年重点工作安排").
 * The report says the government proposed "养老服务、教育补短、公共安全等12方面34个候选项目";
 * the official list of 34 was not found, so these 12 categories and 34 candidates are an
 * illustration only. Figures quoted from the report are marked "report"; all other figures,
 * every budget and every completion date are invented, modest and plausible, for demo use.
 */

export interface DemoCategory {
	key: string;
	name: string;
	candidates: DemoCandidate[];
}

export interface DemoCandidate {
	/** Chinese, short */
	title: string;
	/**
	 * Not one of the report's own 2022 tasks (invented, or a past achievement the report lists):
	 * its visible title says so (NOT_IN_REPORT_LABEL).
	 */
	notInReport?: boolean;
	/** Chinese, 1-3 sentences on what the project does and who benefits */
	summary: string;
	/** quantified targets (Chinese), 1-3 each */
	targets: string[];
	/** a plausible Taizhou municipal department */
	leadDepartment: string;
	/** estimated budget in yuan (integer) */
	budgetYuan: number;
	/** ISO date 'YYYY-MM-DD' in 2022 */
	expectedCompletion: string;
}

/** The year of the demo candidate list (Taizhou's 2022 session). */
export const DEMO_CANDIDATE_YEAR = 2022;

/** Appended to the title of a demo candidate that is not one of the report's own 2022 tasks. */
export const NOT_IN_REPORT_LABEL = '（示例，非报告原文）';

/** The title a demo candidate is shown with. */
export function demoCandidateTitle(candidate: DemoCandidate): string {
	return candidate.notInReport ? `${candidate.title}${NOT_IN_REPORT_LABEL}` : candidate.title;
}

export const demoCategories: DemoCategory[] = [
	{
		key: 'elderly_care',
		name: '养老服务',
		candidates: [
			{
				// report: 建成智慧公办养老院10家
				title: '建设智慧公办养老院',
				summary: '对公办养老院实施智慧化改造，配备智能照护、安全监测和远程探视系统，提升入住老人照护质量和安全水平。',
				targets: ['建成智慧公办养老院10家'],
				leadDepartment: '市民政局',
				budgetYuan: 100000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 所有乡镇(街道)居家养老服务中心配备无感服务智能终端
				title: '居家养老服务中心配备无感服务智能终端',
				summary:
					'为乡镇（街道）居家养老服务中心配备无感服务智能终端，老人刷脸即可享受助餐、健康监测等服务，服务记录自动上传，方便社区老人就近养老。',
				targets: ['所有乡镇（街道）居家养老服务中心无感服务智能终端配备率100%'],
				leadDepartment: '市民政局',
				budgetYuan: 12000000,
				expectedCompletion: '2022-09-30'
			},
			{
				// the report gives 3,539 households over 2017-2021; the 2022 figure is invented
				title: '困难老年人家庭适老化改造',
				notInReport: true,
				summary: '为经济困难的高龄、失能、残疾老年人家庭实施防滑、扶手、紧急呼叫等适老化改造，降低居家跌倒等安全风险。',
				targets: ['完成困难老年人家庭适老化改造1000户'],
				leadDepartment: '市民政局',
				budgetYuan: 5000000,
				expectedCompletion: '2022-11-30'
			}
		]
	},
	{
		key: 'education',
		name: '教育补短',
		candidates: [
			{
				// report: 公办幼儿园覆盖率54%以上; the number of kindergartens is invented
				title: '新建改扩建公办幼儿园',
				summary: '新建、改扩建一批公办幼儿园，增加普惠性学前教育学位，缓解城区和人口流入地区“入园难”。',
				targets: ['新建改扩建公办幼儿园20所', '公办幼儿园覆盖率达到54%以上'],
				leadDepartment: '市教育局',
				budgetYuan: 360000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 建成省级现代化学校30所，随迁子女在公办学校就读比例80%以上
				title: '建设省级现代化学校',
				summary: '推进义务教育优质均衡发展，改善中小学办学条件，扩大随迁子女公办学校就读，让更多孩子在家门口上好学校。',
				targets: ['建成省级现代化学校30所', '随迁子女在公办学校就读比例达到80%以上'],
				leadDepartment: '市教育局',
				budgetYuan: 300000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 推进青少年心理辅导中心建设 (no figure; the targets are invented)
				title: '建设青少年心理辅导中心',
				summary: '建设市、县两级青少年心理辅导中心，为中小学生及家长提供心理咨询、危机干预和家庭教育指导服务。',
				targets: ['建成市级青少年心理辅导中心1个', '9个县（市、区）各建成青少年心理辅导站1个'],
				leadDepartment: '市教育局',
				budgetYuan: 12000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 新建婴幼儿托位5200个 (childcare for under-3s, placed here as 幼有所育)
				title: '新建普惠性婴幼儿托位',
				summary: '落实三孩生育政策配套措施，发展普惠型托育服务，新增一批婴幼儿托位，减轻双职工家庭育儿负担。',
				targets: ['新建婴幼儿托位5200个'],
				leadDepartment: '市卫生健康委员会',
				budgetYuan: 52000000,
				expectedCompletion: '2022-12-31'
			}
		]
	},
	{
		key: 'healthcare',
		name: '医疗卫生',
		candidates: [
			{
				// report: 建成台州市平急结合医院; the bed count is invented
				title: '建成台州市平急结合医院',
				summary:
					'建成平时服务、急时救治的平急结合医院，平时开展常规诊疗，突发公共卫生事件时可快速转换为集中救治场所，提升全市应急医疗保障能力。',
				targets: ['平急结合医院建成投用', '可转换应急救治床位500张'],
				leadDepartment: '市卫生健康委员会',
				budgetYuan: 650000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 县域就诊率90%以上; the clinic count is invented
				title: '提升县域医共体基层服务能力',
				summary: '推进县域医共体和城市医联体建设，加强基层公共卫生队伍和村卫生室建设，让群众小病不出村、常见病不出县。',
				targets: ['县域就诊率达到90%以上', '新建规范化村卫生室（社区卫生服务站）100家'],
				leadDepartment: '市卫生健康委员会',
				budgetYuan: 60000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 实现异地就医免备案直接刷卡结算
				title: '异地就医免备案直接结算',
				summary: '改造医保信息系统，参保人员到省内外定点医疗机构就医无需事先备案即可直接刷卡结算，减少垫资和跑腿。',
				targets: ['实现异地就医免备案直接刷卡结算', '全市定点医疗机构异地直接结算开通率100%'],
				leadDepartment: '市医疗保障局',
				budgetYuan: 6000000,
				expectedCompletion: '2022-06-30'
			}
		]
	},
	{
		key: 'employment',
		name: '就业增收',
		candidates: [
			{
				// report: 建成共富工坊200个
				title: '建设乡村共富工坊',
				summary: '引导企业把来料加工等就业岗位送到村里，建设共富工坊，让农村留守妇女、低收入农户在家门口就业增收。',
				targets: ['建成共富工坊200个'],
				leadDepartment: '市农业农村局',
				budgetYuan: 40000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 培训农民60万人次
				title: '农民技能大培训',
				summary: '开展农民大培训，推动农民大就业，围绕乡村产业、电商、家政和技能岗位开展实用技术和职业技能培训。',
				targets: ['培训农民60万人次'],
				leadDepartment: '市人力资源和社会保障局',
				budgetYuan: 60000000,
				expectedCompletion: '2022-11-30'
			},
			{
				// report: 万名大学生台州就业见习; 新增城镇就业8万人; 零就业家庭动态清零
				title: '万名大学生就业见习',
				summary:
					'组织高校毕业生到企业、机关事业单位开展就业见习并发放见习补贴，同时精准帮扶就业困难人员，确保有就业意愿的重点群体实现就业。',
				targets: ['提供大学生就业见习岗位1万个', '新增城镇就业8万人', '零就业家庭动态清零'],
				leadDepartment: '市人力资源和社会保障局',
				budgetYuan: 30000000,
				expectedCompletion: '2022-12-31'
			}
		]
	},
	{
		key: 'social_security',
		name: '社会保障',
		candidates: [
			{
				// report: 建成市社会福利院
				title: '建成市社会福利院',
				summary: '建成市社会福利院，为孤残儿童、特困供养人员等提供集中养育、康复和照护服务，补齐兜底保障设施短板。',
				targets: ['市社会福利院建成投用', '新增福利院床位300张'],
				leadDepartment: '市民政局',
				budgetYuan: 200000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 提升退役军人服务站180家
				title: '提升退役军人服务站',
				summary:
					'对乡镇（街道）和村（社区）退役军人服务站进行规范化提升，为退役军人和其他优抚对象提供就业、帮扶和政策咨询等一站式服务。',
				targets: ['提升退役军人服务站180家'],
				leadDepartment: '市退役军人事务局',
				budgetYuan: 9000000,
				expectedCompletion: '2022-09-30'
			},
			{
				// not in the report's 2022 tasks (助残 item, figures invented)
				title: '困难残疾人家庭无障碍改造',
				notInReport: true,
				summary: '为有需求的困难残疾人家庭实施居家无障碍改造并适配辅助器具，方便残疾人日常生活和出行。',
				targets: ['完成困难残疾人家庭无障碍改造1000户', '为困难残疾人免费适配辅助器具3000件'],
				leadDepartment: '市残疾人联合会',
				budgetYuan: 8000000,
				expectedCompletion: '2022-11-30'
			}
		]
	},
	{
		key: 'housing',
		name: '住房保障',
		candidates: [
			{
				// report: 建设筹集保障性租赁住房3万套(间)以上
				title: '建设筹集保障性租赁住房',
				summary: '通过新建、改建和盘活存量房源建设筹集保障性租赁住房，缓解新市民、青年人和引进人才的阶段性住房困难。',
				targets: ['建设筹集保障性租赁住房3万套（间）以上'],
				leadDepartment: '市住房和城乡建设局',
				budgetYuan: 1200000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 推进未来社区建设和老旧小区改造 (no 2022 figure; the count is invented)
				title: '城镇老旧小区改造',
				summary: '对建成年代较早的城镇老旧小区实施管网、屋面、消防和公共空间等综合改造，改善居民居住条件。',
				targets: ['开工改造城镇老旧小区50个', '惠及居民2万户'],
				leadDepartment: '市住房和城乡建设局',
				budgetYuan: 450000000,
				expectedCompletion: '2022-12-31'
			}
		]
	},
	{
		key: 'transport',
		name: '交通出行',
		candidates: [
			{
				// report: 打通市区"断头路"13条
				title: '打通市区“断头路”',
				summary: '打通一批市区“断头路”，完善城市路网微循环，缓解交通拥堵，方便市民出行。',
				targets: ['打通市区“断头路”13条'],
				leadDepartment: '市住房和城乡建设局',
				budgetYuan: 520000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 治理"桥头跳"118座，改造"窨井跳"420处
				title: '治理“桥头跳”“窨井跳”',
				summary: '集中整治桥梁接坡处和道路窨井盖沉降、颠簸问题，提升行车舒适度和道路安全。',
				targets: ['治理“桥头跳”118座', '改造“窨井跳”420处'],
				leadDepartment: '市交通运输局',
				budgetYuan: 45000000,
				expectedCompletion: '2022-10-31'
			},
			{
				// the report gives 15,000 spaces over 2017-2021; the 2022 figure is invented
				title: '新增城市公共停车泊位',
				notInReport: true,
				summary: '利用边角地、公共建筑配建和立体停车库新增公共停车泊位，缓解老城区、医院和学校周边“停车难”。',
				targets: ['新增公共停车泊位5000个'],
				leadDepartment: '市综合行政执法局',
				budgetYuan: 150000000,
				expectedCompletion: '2022-12-31'
			}
		]
	},
	{
		key: 'water_supply',
		name: '城乡供水',
		candidates: [
			{
				// report: 新建城乡供水管网260公里
				title: '新建城乡供水管网',
				summary: '新建和改造城乡供水管网，推进城乡同质供水，提高农村和城郊结合部居民的供水水质和水压。',
				targets: ['新建城乡供水管网260公里'],
				leadDepartment: '市水利局',
				budgetYuan: 390000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 建成台州市引水工程和南部湾区引水工程，朱溪水库具备下闸蓄水条件
				title: '建成台州市引水工程和南部湾区引水工程',
				summary: '建成两项区域引水工程并推进朱溪水库建设，优化水资源配置，提升市区和南部湾区的供水保障能力。',
				targets: ['台州市引水工程、南部湾区引水工程全线建成', '朱溪水库具备下闸蓄水条件'],
				leadDepartment: '市水利局',
				budgetYuan: 1000000000,
				expectedCompletion: '2022-12-31'
			}
		]
	},
	{
		key: 'environment',
		name: '生态环境',
		candidates: [
			{
				// report: 5个乡镇(街道)、80个城镇生活小区、34个工业园区和29个工业集聚点"污水零直排区"建设
				title: '建设“污水零直排区”',
				summary:
					'对城镇生活小区、乡镇（街道）和工业园区实施雨污分流和管网改造，从源头减少污水直排，改善河道水质和居住环境。',
				targets: [
					'完成80个城镇生活小区“污水零直排区”建设',
					'完成5个乡镇（街道）“污水零直排区”建设',
					'完成34个工业园区和29个工业集聚点“污水零直排区”建设'
				],
				leadDepartment: '市生态环境局',
				budgetYuan: 180000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 创建省级美丽河湖10条(个)、美丽山塘42座、水美乡镇9个
				title: '创建美丽河湖和美丽山塘',
				summary: '开展河湖综合整治和生态修复，打造亲水便民的滨水空间，让群众共享清水绿岸。',
				targets: ['创建省级美丽河湖10条（个）', '创建美丽山塘42座', '创建水美乡镇9个'],
				leadDepartment: '市水利局',
				budgetYuan: 120000000,
				expectedCompletion: '2022-11-30'
			},
			{
				// report: 新增省级绿道200公里、城镇绿道100公里、绿地1500亩、"口袋公园"50个
				title: '新增绿道和“口袋公园”',
				summary: '利用边角地、闲置地建设“口袋公园”，新增城乡绿道和绿地，方便居民就近休闲健身。',
				targets: ['新增“口袋公园”50个', '新增省级绿道200公里、城镇绿道100公里', '新增绿地1500亩'],
				leadDepartment: '市住房和城乡建设局',
				budgetYuan: 160000000,
				expectedCompletion: '2022-12-31'
			}
		]
	},
	{
		key: 'culture_sports',
		name: '文化体育',
		candidates: [
			{
				// report: 打造新型公共文化空间65家
				title: '打造新型公共文化空间',
				summary:
					'建设城市书房、文化驿站等新型公共文化空间，推动15分钟品质文化生活圈建设，满足市民就近阅读和文化活动需求。',
				targets: ['打造新型公共文化空间65家'],
				leadDepartment: '市文化和广电旅游体育局',
				budgetYuan: 32500000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 新建微型便民体育公园100个、全民健身游步道100公里
				title: '建设微型便民体育公园和全民健身游步道',
				summary: '在社区和村庄周边建设微型便民体育公园和全民健身游步道，方便群众就近健身，推动老年体育发展。',
				targets: ['新建微型便民体育公园100个', '新建全民健身游步道100公里'],
				leadDepartment: '市文化和广电旅游体育局',
				budgetYuan: 80000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 推进应建村农村文化礼堂全覆盖 (no figure; the count is invented)
				title: '农村文化礼堂提质扩面',
				summary: '新建和提升一批农村文化礼堂，推进应建村农村文化礼堂全覆盖，丰富农村群众精神文化生活。',
				targets: ['新建提升农村文化礼堂150家', '应建村农村文化礼堂覆盖率100%'],
				leadDepartment: '市文化和广电旅游体育局',
				budgetYuan: 45000000,
				expectedCompletion: '2022-12-31'
			}
		]
	},
	{
		key: 'public_safety',
		name: '公共安全',
		candidates: [
			{
				// report: 开工建设海塘提标27.3公里
				title: '实施海塘安澜提标工程',
				summary: '对沿海重点海塘实施提标加固，提升沿海地区防御台风、风暴潮能力，保障沿海群众生命财产安全。',
				targets: ['开工建设海塘提标27.3公里'],
				leadDepartment: '市水利局',
				budgetYuan: 820000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report mentions 消防 hazards in general; this item and its figures are invented
				title: '住宅小区电动自行车集中充电设施建设',
				notInReport: true,
				summary: '在住宅小区建设电动自行车集中停放和充电设施，整治楼道停放、“飞线”充电等火灾隐患，保障居民消防安全。',
				targets: ['新建电动自行车集中充电端口2万个', '覆盖住宅小区500个'],
				leadDepartment: '市消防救援支队',
				budgetYuan: 30000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report mentions 道路交通 hazards in general; the figures are invented
				title: '道路交通安全隐患点段整治',
				notInReport: true,
				summary: '排查整治事故多发路段、平交路口和临水临崖等危险点段，完善交通安全设施，减少道路交通事故。',
				targets: ['整治道路交通安全隐患点段100处'],
				leadDepartment: '市公安局',
				budgetYuan: 50000000,
				expectedCompletion: '2022-12-31'
			}
		]
	},
	{
		key: 'convenience',
		name: '便民服务',
		candidates: [
			{
				// report: 打造15分钟便民生活圈 (no figure; the count is invented)
				title: '打造15分钟便民生活圈',
				summary: '在城市社区周边补齐菜场、便利店、早餐店、维修等便民商业网点，让居民步行15分钟内满足日常生活需求。',
				targets: ['建成15分钟便民生活圈20个'],
				leadDepartment: '市商务局',
				budgetYuan: 40000000,
				expectedCompletion: '2022-12-31'
			},
			{
				// report: 提前完成1.6万个5G基站建设任务，实现乡镇及以上区域5G信号优质全覆盖
				title: '实现乡镇以上区域5G信号优质全覆盖',
				summary: '加快5G基站建设，开放公共设施用于站址建设，提升城乡移动网络信号质量，方便群众上网和办事。',
				targets: ['累计建成5G基站1.6万个', '乡镇及以上区域5G信号优质覆盖率100%'],
				leadDepartment: '市经济和信息化局',
				budgetYuan: 30000000,
				expectedCompletion: '2022-10-31'
			}
		]
	}
];
