package ingest

import "strings"

// firstNames is a small list of common first names from many regions,
// enough to notice a column of names or names inside free text. Names
// that are also everyday words (Grace, Hope, Will, May, Rose, Mark, Faith,
// Joy, Victoria, Sunny…) are left out to avoid false alarms on labels.
var firstNames = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(firstNameList) {
		m[n] = true
	}
	return m
}()

const firstNameList = `
james john robert michael david william richard joseph thomas charles christopher daniel matthew
anthony donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason
jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel
gregory alexander patrick jack dennis jerry tyler aaron henry peter adam nathan zachary kyle
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty sandra
ashley kimberly emily donna michelle carol amanda melissa deborah stephanie rebecca sharon laura
cynthia kathleen amy angela shirley anna brenda pamela emma nicole helen samantha katherine
christine debra rachel carolyn janet catherine maria heather diane julie olivia sophie chloe
charlotte amelia isabella mia ava lucy hannah ellie freya oliver harry jacob noah charlie oscar
muhammad mohammed mohamed ahmed ahmad ali omar hassan hussein ibrahim yusuf youssef mustafa khalid
abdullah abdul mahmoud tariq karim hamza bilal fatima aisha ayesha khadija zainab maryam amina
layla leila noor nour yasmin yasmine huda samira salma rania
jose juan luis carlos jorge pedro miguel alejandro javier fernando ricardo diego pablo andres
sergio raul manuel francisco antonio rafael gabriel lucia sofia valentina camila mariana daniela
gabriela paula andrea carmen rosa ana elena isabel guadalupe juana alejandra veronica
jean pierre jacques michel philippe nicolas francois louis camille manon chloe lea marie sophie
nathalie isabelle sylvie celine aurelie
hans klaus jurgen wolfgang stefan andreas thomas markus lukas felix maximilian jonas leon anna
lena lea laura julia katharina ursula sabine monika petra
giuseppe giovanni marco luca francesco alessandro andrea matteo lorenzo giulia chiara francesca
sara martina alessia
ivan dmitri dmitry sergei sergey alexei vladimir andrei nikolai mikhail olga tatiana natalia
svetlana irina ekaterina anastasia elena
wei jing ming hui yan jun hao xin xiaoming
hiroshi takashi kenji yuki haruto sakura yui aoi hina
raj rahul amit sanjay vijay ravi suresh ramesh anil sunil arjun rohit priya pooja anjali neha
sunita anita kavita deepa lakshmi meena divya
kwame kofi kwabena yaw kojo ama akua abena adwoa chinedu emeka chukwuemeka ngozi chioma adaeze
oluwaseun olumide tunde babatunde folake yetunde abimbola musa abubakar aminu halima hauwa
themba sipho thabo lerato nomvula zanele thandiwe mandla bongani tendai tatenda chipo farai
wanjiru wambui njeri kamau otieno odhiambo achieng akinyi fatuma mwajuma
amadou moussa mamadou ousmane ibrahima aminata fatou mariama awa
minh thanh linh tuan phuong huong
`
