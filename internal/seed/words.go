package seed

// The word lists the demo data is drawn from. They are read-only.

type hanzi struct{ zh, pinyin string }

var surnames = []hanzi{
	{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"},
	{"杨", "yang"}, {"黄", "huang"}, {"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"},
	{"徐", "xu"}, {"孙", "sun"}, {"马", "ma"}, {"朱", "zhu"}, {"胡", "hu"},
	{"郭", "guo"}, {"何", "he"}, {"林", "lin"}, {"罗", "luo"}, {"高", "gao"},
}

var givenNames = []hanzi{
	{"伟", "wei"}, {"芳", "fang"}, {"娜", "na"}, {"敏", "min"}, {"静", "jing"},
	{"丽", "li"}, {"强", "qiang"}, {"磊", "lei"}, {"军", "jun"}, {"洋", "yang"},
	{"勇", "yong"}, {"艳", "yan"}, {"杰", "jie"}, {"涛", "tao"}, {"明", "ming"},
	{"超", "chao"}, {"秀英", "xiuying"}, {"霞", "xia"}, {"平", "ping"}, {"刚", "gang"},
	{"晓明", "xiaoming"}, {"思远", "siyuan"}, {"雨欣", "yuxin"}, {"子涵", "zihan"},
	{"浩然", "haoran"}, {"欣怡", "xinyi"}, {"宇航", "yuhang"}, {"佳琪", "jiaqi"},
}

var firstNames = []string{
	"Emma", "Olivia", "Ava", "Sophia", "Isabella", "Mia", "Charlotte", "Amelia",
	"Grace", "Chloe", "Liam", "Noah", "Oliver", "Elijah", "James", "William",
	"Benjamin", "Lucas", "Henry", "Alexander", "Michael", "Daniel", "Ethan", "Jack",
}

var lastNames = []string{
	"Johnson", "Smith", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
	"Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson",
	"Thompson", "White", "Harris", "Clark", "Lewis",
}

var titlesZH = []string{"采购经理", "总经理", "财务主管", "IT 负责人", "运营总监", "行政专员", "市场经理", "销售代表", "产品经理", "店长"}

var titlesEN = []string{"Purchasing Manager", "CEO", "Finance Lead", "IT Director", "Operations Manager", "Office Manager", "Marketing Manager", "Sales Representative", "Product Manager", "Store Manager"}

var owners = []string{"王磊", "李娜", "陈静", "刘洋", "Sarah Chen", "Mike Davis", "Anna Li", "Tom Wilson"}

var emailDomains = []string{"example.com", "example.cn", "example.org", "example.net"}

var (
	citiesZH     = []string{"上海", "北京", "深圳", "杭州", "成都", "广州", "苏州", "武汉", "南京", "西安"}
	brandsZH     = []string{"星辰", "华信", "恒通", "瑞丰", "博远", "蓝海", "启明", "天成", "嘉禾", "云帆"}
	brandsEN     = []string{"Northwind", "Blue Harbor", "Summit", "Redwood", "Pioneer", "Silverline", "Evergreen", "Crescent", "Brightway", "Oakridge"}
	companyForms = []string{"Co., Ltd.", "Inc.", "Ltd.", "Group", "LLC"}
	tiers        = []string{"enterprise", "mid-market", "mid-market", "smb", "smb", "smb"}
)

// industries pairs an industry with how company names say it.
var industries = []struct{ name, zh, en string }{
	{"Software", "科技", "Software"},
	{"Retail", "商贸", "Retail"},
	{"Logistics", "物流", "Logistics"},
	{"Electronics", "电子", "Electronics"},
	{"Food & Beverage", "食品", "Foods"},
	{"Healthcare", "医疗器械", "Medical"},
	{"Education", "教育科技", "Learning"},
	{"Home & Living", "家居", "Home"},
}

var ticketSubjectsZH = []string{"发票抬头开错了", "商品破损，申请退换货", "物流一直没有更新", "想修改收货地址", "会员积分没有到账", "申请开具增值税专用发票", "设备无法开机", "账号无法登录"}

var ticketSubjectsEN = []string{"Invoice shows the wrong company name", "Item arrived damaged", "Tracking has not updated for a week", "Need to change the shipping address", "Loyalty points are missing", "Cannot log in to my account", "Device will not power on", "Request for a bulk discount"}

var leadTitlesZH = []string{"年度办公设备采购", "门店 POS 系统升级", "企业客服方案咨询", "员工福利礼品团购", "仓储物流外包合作", "新品区域代理合作"}

var leadTitlesEN = []string{"Annual office equipment purchase", "POS upgrade for 12 stores", "Customer-service platform evaluation", "Corporate holiday gifts", "Warehouse outsourcing proposal", "Regional distribution partnership"}

var leadSources = []string{"website", "wechat", "referral", "trade_show", "ads"}
