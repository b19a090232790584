"""The real programme, from public reporting (see ../shared/domain.md).

Roles follow what each member was reported to contribute; where reporting
names a field but not a role (e.g. "compression", "accuracy"), the nearest
role of the fixed set is used. Elice's day of joining is not public: the
first of the reported month is used.
"""

import datetime

PROGRAMME = {
    "slug": "sovereign-ai-2025",
    "name_ko": "독자 AI 파운데이션 모델 프로젝트",
    "name_en": "Sovereign AI Foundation Model Project",
    "year": 2025,
}

SELECTED_ON = datetime.date(2025, 8, 4)

# slug: (Korean name, English name, kind)
ORGANISATIONS = {
    "lg-ai-research": ("LG AI연구원", "LG AI Research", "research_institute"),
    "lg-uplus": ("LG유플러스", "LG Uplus", "company"),
    "lg-cns": ("LG CNS", "LG CNS", "company"),
    "superb-ai": ("슈퍼브AI", "Superb AI", "company"),
    "furiosa-ai": ("퓨리오사AI", "FuriosaAI", "company"),
    "friendli-ai": ("프렌들리AI", "FriendliAI", "company"),
    "estsoft": ("이스트소프트", "ESTsoft", "company"),
    "estaid": ("이스트에이드", "ESTaid", "company"),
    "hancom": ("한글과컴퓨터", "Hancom", "company"),
    "wrtn": ("뤼튼테크놀로지스", "Wrtn Technologies", "company"),
    "elice": ("엘리스", "Elice", "company"),
    "naver-cloud": ("네이버클라우드", "Naver Cloud", "gpu_provider"),
    "naver": ("네이버", "NAVER", "company"),
    "twelve-labs": ("트웰브랩스", "Twelve Labs", "company"),
    "kaist": ("한국과학기술원(KAIST)", "KAIST", "university"),
    "snu": ("서울대학교", "Seoul National University", "university"),
    "postech": ("포항공과대학교", "POSTECH", "university"),
    "korea-univ": ("고려대학교", "Korea University", "university"),
    "hanyang-univ": ("한양대학교", "Hanyang University", "university"),
    "upstage": ("업스테이지", "Upstage", "company"),
    "nota": ("노타", "Nota", "company"),
    "lablup": ("래블업", "Lablup", "company"),
    "flitto": ("플리토", "Flitto", "company"),
    "vuno": ("뷰노", "VUNO", "company"),
    "makinarocks": ("마키나락스", "MakinaRocks", "company"),
    "law-and-company": ("로앤컴퍼니", "Law&Company", "company"),
    "orchestro": ("오케스트로", "Orchestro", "company"),
    "day1-company": ("데이원컴퍼니", "Day1 Company", "company"),
    "allganize-korea": ("올거나이즈코리아", "Allganize Korea", "company"),
    "kftc": ("금융결제원", "Korea Financial Telecommunications & Clearings Institute", "public_body"),
    "sogang-univ": ("서강대학교", "Sogang University", "university"),
    "sk-telecom": ("SK텔레콤", "SK Telecom", "gpu_provider"),
    "krafton": ("크래프톤", "Krafton", "company"),
    "42dot": ("포티투닷", "42dot", "company"),
    "rebellions": ("리벨리온", "Rebellions", "company"),
    "liner": ("라이너", "Liner", "company"),
    "selectstar": ("셀렉트스타", "SelectStar", "company"),
    "nc-ai": ("NC AI", "NC AI", "company"),
    "yonsei-univ": ("연세대학교", "Yonsei University", "university"),
    "etri": ("한국전자통신연구원(ETRI)", "ETRI", "research_institute"),
    "lotte-innovate": ("롯데이노베이트", "Lotte Innovate", "company"),
    "posco-dx": ("포스코DX", "POSCO DX", "company"),
    "hl-robotics": ("HL로보틱스", "HL Robotics", "company"),
    "interx": ("인터엑스", "INTERX", "company"),
    "mediazen": ("미디어젠", "MediaZen", "company"),
    "nhn": ("NHN", "NHN", "company"),
    "mbc": ("MBC", "MBC", "company"),
    "aiworks": ("에이아이웍스", "AIWorks", "company"),
}

LEAD = ("lead", "model_development")
MODEL = ("model_development",)
NPU = ("infrastructure",)
SERVING = ("serving",)
SERVICE = ("service",)
DATA = ("data",)
RESEARCH = ("research",)

# Each team: its fields and its members as (organisation slug, roles, joined_on or None for the team's start).
TEAMS = [
    {
        "slug": "lg-ai-research",
        "name_ko": "LG AI연구원 컨소시엄",
        "name_en": "LG AI Research consortium",
        "model_name": "K-EXAONE",
        "lead": "lg-ai-research",
        "members": [
            ("lg-ai-research", LEAD, None),
            ("lg-uplus", MODEL, None),
            ("lg-cns", MODEL, None),
            ("superb-ai", MODEL, None),
            ("furiosa-ai", NPU, None),
            ("friendli-ai", SERVING, None),
            ("estsoft", SERVICE, None),
            ("estaid", SERVICE, None),
            ("hancom", SERVICE, None),
            ("wrtn", SERVICE, None),
            ("elice", SERVICE, datetime.date(2026, 2, 1)),
        ],
    },
    {
        "slug": "naver-cloud",
        "name_ko": "네이버클라우드 컨소시엄",
        "name_en": "Naver Cloud consortium",
        "model_name": "",
        "lead": "naver-cloud",
        "members": [
            ("naver-cloud", LEAD, None),
            ("naver", MODEL, None),
            ("twelve-labs", MODEL, None),
            ("kaist", RESEARCH, None),
            ("snu", RESEARCH, None),
            ("postech", RESEARCH, None),
            ("korea-univ", RESEARCH, None),
            ("hanyang-univ", RESEARCH, None),
        ],
    },
    {
        "slug": "upstage",
        "name_ko": "업스테이지 컨소시엄",
        "name_en": "Upstage consortium",
        "model_name": "Solar",
        "lead": "upstage",
        "members": [
            ("upstage", LEAD, None),
            ("nota", MODEL, None),
            ("lablup", NPU, None),
            ("flitto", DATA, None),
            ("vuno", SERVICE, None),
            ("makinarocks", SERVICE, None),
            ("law-and-company", SERVICE, None),
            ("orchestro", SERVICE, None),
            ("day1-company", SERVICE, None),
            ("allganize-korea", SERVICE, None),
            ("kftc", SERVICE, None),
            ("sogang-univ", RESEARCH, None),
            ("kaist", RESEARCH, None),
        ],
    },
    {
        "slug": "sk-telecom",
        "name_ko": "SK텔레콤 컨소시엄",
        "name_en": "SK Telecom consortium",
        "model_name": "A.X K1",
        "lead": "sk-telecom",
        "members": [
            ("sk-telecom", LEAD, None),
            ("krafton", MODEL, None),
            ("42dot", MODEL, None),
            ("rebellions", NPU, None),
            ("liner", SERVICE, None),
            ("selectstar", DATA, None),
            ("snu", RESEARCH, None),
            ("kaist", RESEARCH, None),
        ],
    },
    {
        "slug": "nc-ai",
        "name_ko": "NC AI 컨소시엄",
        "name_en": "NC AI consortium",
        "model_name": "VARCO",
        "lead": "nc-ai",
        "members": [
            ("nc-ai", LEAD, None),
            ("kaist", RESEARCH, None),
            ("korea-univ", RESEARCH, None),
            ("snu", RESEARCH, None),
            ("yonsei-univ", RESEARCH, None),
            ("etri", RESEARCH, None),
            ("lotte-innovate", SERVICE, None),
            ("posco-dx", SERVICE, None),
            ("hl-robotics", SERVICE, None),
            ("interx", SERVICE, None),
            ("mediazen", SERVICE, None),
            ("nhn", NPU, None),
            ("mbc", DATA, None),
            ("aiworks", DATA, None),
        ],
    },
]
