"""The demo's Korean prompt set, written for this project (4 prompts in each of 5 categories)."""

DEMO_PROMPTS = [
    ("daily-01", "daily_life", "비 오는 날 출근길에 신발이 젖지 않게 하는 방법을 알려 주세요."),
    ("daily-02", "daily_life", "자취를 처음 시작하는 대학생에게 꼭 필요한 생활용품 다섯 가지를 추천해 주세요."),
    ("daily-03", "daily_life", "김치찌개를 맛있게 끓이는 순서를 간단히 설명해 주세요."),
    ("daily-04", "daily_life", "잠이 잘 오지 않을 때 해 볼 만한 습관을 알려 주세요."),
    ("public-01", "public_service", "전입신고는 어디에서, 언제까지 해야 하나요?"),
    ("public-02", "public_service", "여권을 처음 발급받으려면 어떤 서류가 필요한가요?"),
    ("public-03", "public_service", "주민등록등본을 온라인으로 발급받는 방법을 알려 주세요."),
    ("public-04", "public_service", "실업급여를 신청하려면 어떤 조건을 갖춰야 하나요?"),
    ("law-01", "law", "전세 계약을 할 때 확정일자를 받아야 하는 이유는 무엇인가요?"),
    ("law-02", "law", "중고 거래에서 물건을 받지 못했을 때 어떻게 대응해야 하나요?"),
    ("law-03", "law", "근로계약서에 반드시 들어가야 하는 내용은 무엇인가요?"),
    ("law-04", "law", "교통사고가 났을 때 현장에서 해야 할 일을 순서대로 알려 주세요."),
    ("culture-01", "culture", "추석에 송편을 빚는 풍습의 의미를 설명해 주세요."),
    ("culture-02", "culture", "훈민정음 창제의 목적을 두세 문장으로 설명해 주세요."),
    ("culture-03", "culture", "외국인 친구에게 소개할 만한 서울의 전통 명소를 추천해 주세요."),
    ("culture-04", "culture", "판소리와 민요의 차이를 쉽게 설명해 주세요."),
    ("coding-01", "coding", "파이썬으로 리스트에서 중복을 제거하는 코드를 작성해 주세요."),
    ("coding-02", "coding", "SQL에서 INNER JOIN과 LEFT JOIN의 차이를 예와 함께 설명해 주세요."),
    ("coding-03", "coding", "자바스크립트에서 배열의 합을 구하는 함수를 작성해 주세요."),
    ("coding-04", "coding", "깃에서 방금 한 커밋의 메시지를 고치는 방법을 알려 주세요."),
]
