package query

import "strings"

// Province is a provincial-level division, named the ways users name it.
type Province struct {
	Short   string   // 浙江
	Full    string   // 浙江省
	English []string // lower case: zhejiang
}

// Provinces lists the 31 provincial-level divisions of the mainland.
var Provinces = []Province{
	{"北京", "北京市", []string{"beijing"}},
	{"天津", "天津市", []string{"tianjin"}},
	{"河北", "河北省", []string{"hebei"}},
	{"山西", "山西省", []string{"shanxi"}},
	{"内蒙古", "内蒙古自治区", []string{"inner mongolia", "nei mongol", "neimenggu"}},
	{"辽宁", "辽宁省", []string{"liaoning"}},
	{"吉林", "吉林省", []string{"jilin"}},
	{"黑龙江", "黑龙江省", []string{"heilongjiang"}},
	{"上海", "上海市", []string{"shanghai"}},
	{"江苏", "江苏省", []string{"jiangsu"}},
	{"浙江", "浙江省", []string{"zhejiang"}},
	{"安徽", "安徽省", []string{"anhui"}},
	{"福建", "福建省", []string{"fujian"}},
	{"江西", "江西省", []string{"jiangxi"}},
	{"山东", "山东省", []string{"shandong"}},
	{"河南", "河南省", []string{"henan"}},
	{"湖北", "湖北省", []string{"hubei"}},
	{"湖南", "湖南省", []string{"hunan"}},
	{"广东", "广东省", []string{"guangdong"}},
	{"广西", "广西壮族自治区", []string{"guangxi"}},
	{"海南", "海南省", []string{"hainan"}},
	{"重庆", "重庆市", []string{"chongqing"}},
	{"四川", "四川省", []string{"sichuan"}},
	{"贵州", "贵州省", []string{"guizhou"}},
	{"云南", "云南省", []string{"yunnan"}},
	{"西藏", "西藏自治区", []string{"tibet", "xizang"}},
	{"陕西", "陕西省", []string{"shaanxi"}},
	{"甘肃", "甘肃省", []string{"gansu"}},
	{"青海", "青海省", []string{"qinghai"}},
	{"宁夏", "宁夏回族自治区", []string{"ningxia"}},
	{"新疆", "新疆维吾尔自治区", []string{"xinjiang"}},
}

// ProvincesIn returns the short names of the provinces a text names, in
// Chinese (short or full name) or English. Latin names match whole words
// only, so "shanxi" never matches inside "shaanxi".
func ProvincesIn(text string) []string {
	lower := strings.ToLower(text)
	var out []string
	for _, r := range Provinces {
		if strings.Contains(text, r.Short) {
			out = append(out, r.Short)
			continue
		}
		for _, e := range r.English {
			if containsWord(lower, e) {
				out = append(out, r.Short)
				break
			}
		}
	}
	return out
}

// provinceByEnglish maps an English province name (a normalised key) to
// its short Chinese name.
func provinceByEnglish(key string) string {
	for _, r := range Provinces {
		for _, e := range r.English {
			if e == key {
				return r.Short
			}
		}
	}
	return ""
}
