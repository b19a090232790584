"""The 2025 data purchases of the programme, from public reporting (../shared/domain.md):
a joint purchase of copyrighted works worth KRW 10bn per team per year (here as four joint
purchases from public bodies, brokered by NIA), KRW 2.8bn of team-specific data per team,
and KRW 20bn for broadcast video in four consortia of KRW 4.83bn each (MBC, MBC 충북,
KT ENA, KBS; brokered by K-Data). Budget figures include VAT; licence terms are realistic
examples, not the signed contracts."""

import datetime

D = datetime.date

# slug: (Korean name, English name, kind)
PROVIDERS = {
    "national-archives": ("국가기록원", "National Archives of Korea", "public_body"),
    "nikh": ("국사편찬위원회", "National Institute of Korean History", "public_body"),
    "statistics-korea": ("통계청", "Statistics Korea", "public_body"),
    "kipo": ("특허청", "Korean Intellectual Property Office", "public_body"),
    "mbc": ("MBC", "MBC", "broadcaster"),
    "mbc-chungbuk": ("MBC 충북", "MBC Chungbuk", "broadcaster"),
    "kt-ena": ("KT ENA", "KT ENA", "broadcaster"),
    "kbs": ("KBS", "KBS", "broadcaster"),
    "nia": ("한국지능정보사회진흥원", "National Information Society Agency (NIA)", "intermediary"),
    "k-data": ("한국데이터산업진흥원", "Korea Data Agency (K-Data)", "intermediary"),
}

P, X, C = "permitted", "prohibited", "conditional"
ATTRIBUTE = "저작물명, 제공기관과 이용허락 조건을 표시해야 합니다. / Name the work, its provider and the licence."

LICENCES = {
    "kogl-type-1": dict(
        name_ko="공공누리 제1유형 (출처표시)",
        name_en="KOGL Type 1 (attribution)",
        training=P,
        commercial_use=P,
        redistribution=C,
        redistribution_clause="출처를 표시하면 재배포할 수 있습니다. / May be redistributed with attribution.",
        open_weight_release=P,
        attribution=C,
        attribution_clause=ATTRIBUTE,
        term_starts_on=D(2025, 9, 15),
        term_ends_on=None,
        post_termination="retain",
        post_termination_clause="공공저작물로서 이용 기간의 제한이 없습니다. / Public works: no time limit.",
    ),
    "nikh-research": dict(
        name_ko="국사편찬위원회 사료 학습 이용 약정",
        name_en="NIKH historical sources training agreement",
        training=P,
        commercial_use=X,
        commercial_use_clause="사료 원문의 상업적 판매 금지. / No sale of the sources.",
        redistribution=X,
        redistribution_clause="원문 재배포 금지. / The texts may not be redistributed.",
        open_weight_release=C,
        open_weight_release_clause="가중치 공개 시 사료 원문을 복원할 수 없음을 검증해야 합니다. / "
        "Open weights must be shown not to reproduce the sources verbatim.",
        attribution=C,
        attribution_clause=ATTRIBUTE,
        term_starts_on=D(2025, 9, 15),
        term_ends_on=D(2026, 12, 31),
        post_termination="retain",
    ),
    "statistics-microdata": dict(
        name_ko="통계청 마이크로데이터 이용 약정",
        name_en="Statistics Korea microdata agreement",
        training=C,
        training_clause="비식별 처리된 자료만 학습하며 재식별 시도를 금지합니다. / "
        "De-identified records only; no re-identification.",
        commercial_use=C,
        commercial_use_clause="통계 결과물만 상업적으로 이용할 수 있습니다. / Outputs only.",
        redistribution=X,
        open_weight_release=C,
        open_weight_release_clause="공개 전 구성원 추론 공격 평가를 제출해야 합니다. / "
        "A membership-inference evaluation before release.",
        attribution=C,
        attribution_clause=ATTRIBUTE,
        term_starts_on=D(2025, 11, 3),
        term_ends_on=D(2026, 12, 31),
        post_termination="end_access",
        post_termination_clause="사업에서 탈락하면 자료 접근이 종료됩니다. / Access ends on leaving the programme.",
    ),
    "kipo-patent": dict(
        name_ko="특허청 특허정보 대량 제공 약정",
        name_en="KIPO bulk patent data agreement",
        training=P,
        commercial_use=P,
        redistribution=X,
        redistribution_clause="원문 대량 재배포 금지(KIPRIS 약관). / No bulk redistribution (KIPRIS terms).",
        open_weight_release=P,
        attribution=C,
        attribution_clause=ATTRIBUTE,
        term_starts_on=D(2025, 9, 15),
        term_ends_on=D(2027, 12, 31),
        post_termination="retain",
    ),
    "broadcast-video-2025": dict(
        name_ko="방송 영상 AI 학습 이용 계약 (2025)",
        name_en="Broadcast video AI training licence (2025)",
        training=P,
        commercial_use=C,
        commercial_use_clause="학습된 모델의 상업 서비스는 방송사와 별도 협의. / Commercial services need the "
        "broadcaster's separate consent.",
        redistribution=X,
        redistribution_clause="영상·자막 재배포 금지. / No redistribution of video or captions.",
        open_weight_release=X,
        open_weight_release_clause="이 자료로 학습한 모델 가중치의 오픈소스 공개 금지. / Weights trained on this "
        "data may not be released as open source.",
        attribution=C,
        attribution_clause=ATTRIBUTE,
        term_starts_on=D(2025, 10, 20),
        term_ends_on=D(2026, 12, 31),
        post_termination="end_access",
        post_termination_clause="탈락 시 이용권 종료, 사본 파기. / Access ends and copies are destroyed on leaving.",
    ),
}

# slug: (provider, licence, Korean name, English name, modality, records, tokens, bytes, description)
DATASETS = {
    "national-archives-records": (
        "national-archives",
        "kogl-type-1",
        "국가기록원 공공기록물 텍스트",
        "National Archives public records (text)",
        "text",
        1_200_000,
        3_100_000_000,
        None,
        "정부 공문서·회의록 등 공개 기록물의 디지털 텍스트.",
    ),
    "national-archives-photos": (
        "national-archives",
        "kogl-type-1",
        "국가기록원 사진 기록물",
        "National Archives photographs",
        "image",
        850_000,
        None,
        2_400_000_000_000,
        "1948년 이후 정부 사진 기록물과 설명문.",
    ),
    "national-archives-audio": (
        "national-archives",
        "kogl-type-1",
        "국가기록원 음성 기록물",
        "National Archives audio records",
        "audio",
        64_000,
        None,
        1_900_000_000_000,
        "대통령 연설, 국무회의 녹음 등 공개 음성 기록과 전사문.",
    ),
    "nikh-joseon-annals": (
        "nikh",
        "nikh-research",
        "조선왕조실록 국역본",
        "Annals of the Joseon Dynasty (Korean)",
        "text",
        390_000,
        320_000_000,
        None,
        "조선왕조실록 원문과 국역문 병렬 자료.",
    ),
    "nikh-ancient-documents": (
        "nikh",
        "nikh-research",
        "고문서 이미지와 판독문",
        "Historical document images",
        "image",
        210_000,
        None,
        900_000_000_000,
        "한국사 고문서 스캔 이미지와 판독문.",
    ),
    "kosis-tables": (
        "statistics-korea",
        "kogl-type-1",
        "국가통계포털 통계표",
        "KOSIS statistical tables",
        "tabular",
        4_500_000,
        None,
        120_000_000_000,
        "KOSIS 통계표와 메타데이터, 해설문.",
    ),
    "household-microdata": (
        "statistics-korea",
        "statistics-microdata",
        "가계동향조사 마이크로데이터",
        "Household survey microdata",
        "tabular",
        26_000_000,
        None,
        48_000_000_000,
        "비식별 처리된 가계동향조사 원자료.",
    ),
    "patent-fulltext": (
        "kipo",
        "kipo-patent",
        "특허 공보 전문",
        "Patent gazette full text",
        "text",
        4_800_000,
        21_000_000_000,
        None,
        "1948년 이후 국내 특허·실용신안 공보 전문.",
    ),
    "patent-claims-structured": (
        "kipo",
        "kipo-patent",
        "특허 청구항 구조화 데이터",
        "Structured patent claims",
        "text",
        4_800_000,
        2_600_000_000,
        None,
        "청구항 종속관계와 기술분류 라벨.",
    ),
    "mbc-news-video": (
        "mbc",
        "broadcast-video-2025",
        "MBC 뉴스·시사 영상",
        "MBC news and current affairs video",
        "video",
        180_000,
        None,
        410_000_000_000_000,
        "자막·대본이 정렬된 뉴스와 시사 프로그램 영상.",
    ),
    "mbc-chungbuk-regional-video": (
        "mbc-chungbuk",
        "broadcast-video-2025",
        "MBC 충북 지역 방송 영상",
        "MBC Chungbuk regional broadcasts",
        "video",
        42_000,
        None,
        95_000_000_000_000,
        "충청 지역 뉴스·교양 프로그램과 방언 자막.",
    ),
    "kt-ena-drama-video": (
        "kt-ena",
        "broadcast-video-2025",
        "KT ENA 드라마·예능 영상",
        "KT ENA drama and variety",
        "video",
        26_000,
        None,
        380_000_000_000_000,
        "드라마·예능 영상과 대본, 자막.",
    ),
    "kbs-archive-video": (
        "kbs",
        "broadcast-video-2025",
        "KBS 방송 아카이브 영상",
        "KBS broadcast archive",
        "video",
        230_000,
        None,
        520_000_000_000_000,
        "다큐멘터리·교양·뉴스 아카이브 영상과 자막.",
    ),
}

TEAMS = ["lg-ai-research", "naver-cloud", "upstage", "sk-telecom", "nc-ai"]
EQUAL = "20"  # percent each, five teams
ACCESS_UNTIL = D(2026, 12, 31)

# contract number: (kind, title, provider, intermediary, datasets, contract date, total paid incl. VAT, payers)
# payers: list of (team slug, percent) — joint ones are equal shares among the five teams.
JOINT = [(t, EQUAL) for t in TEAMS]
PURCHASES = {
    "NIA-2025-JP-001": (
        "joint",
        "공공저작물 공동구매 — 국가기록원",
        "national-archives",
        "nia",
        ["national-archives-records"],
        D(2025, 9, 15),
        15_000_000_000,
        JOINT,
    ),
    "NIA-2025-JP-002": (
        "joint",
        "공공저작물 공동구매 — 국사편찬위원회",
        "nikh",
        "nia",
        ["nikh-joseon-annals"],
        D(2025, 9, 15),
        12_500_000_000,
        JOINT,
    ),
    "NIA-2025-JP-003": (
        "joint",
        "공공저작물 공동구매 — 통계청",
        "statistics-korea",
        "nia",
        ["kosis-tables"],
        D(2025, 9, 15),
        10_000_000_000,
        JOINT,
    ),
    "NIA-2025-JP-004": (
        "joint",
        "공공저작물 공동구매 — 특허청",
        "kipo",
        "nia",
        ["patent-fulltext"],
        D(2025, 9, 15),
        12_500_000_000,
        JOINT,
    ),
    "KDATA-2025-BV-MBC": (
        "joint",
        "방송 영상 컨소시엄 — MBC",
        "mbc",
        "k-data",
        ["mbc-news-video"],
        D(2025, 10, 20),
        4_830_000_000,
        JOINT,
    ),
    "KDATA-2025-BV-MBCCB": (
        "joint",
        "방송 영상 컨소시엄 — MBC 충북",
        "mbc-chungbuk",
        "k-data",
        ["mbc-chungbuk-regional-video"],
        D(2025, 10, 20),
        4_830_000_000,
        JOINT,
    ),
    "KDATA-2025-BV-ENA": (
        "joint",
        "방송 영상 컨소시엄 — KT ENA",
        "kt-ena",
        "k-data",
        ["kt-ena-drama-video"],
        D(2025, 10, 20),
        4_830_000_000,
        JOINT,
    ),
    "KDATA-2025-BV-KBS": (
        "joint",
        "방송 영상 컨소시엄 — KBS",
        "kbs",
        "k-data",
        ["kbs-archive-video"],
        D(2025, 10, 20),
        4_830_000_000,
        JOINT,
    ),
    "NIA-2025-TS-LG": (
        "individual",
        "팀 특화 데이터 — LG AI연구원",
        "kipo",
        "nia",
        ["patent-claims-structured"],
        D(2025, 11, 3),
        2_800_000_000,
        [("lg-ai-research", "100")],
    ),
    "NIA-2025-TS-NAVER": (
        "individual",
        "팀 특화 데이터 — 네이버클라우드",
        "national-archives",
        "nia",
        ["national-archives-audio"],
        D(2025, 11, 3),
        2_800_000_000,
        [("naver-cloud", "100")],
    ),
    "NIA-2025-TS-UPSTAGE": (
        "individual",
        "팀 특화 데이터 — 업스테이지",
        "statistics-korea",
        "nia",
        ["household-microdata"],
        D(2025, 11, 3),
        2_800_000_000,
        [("upstage", "100")],
    ),
    "NIA-2025-TS-SKT": (
        "individual",
        "팀 특화 데이터 — SK텔레콤",
        "nikh",
        "nia",
        ["nikh-ancient-documents"],
        D(2025, 11, 3),
        2_800_000_000,
        [("sk-telecom", "100")],
    ),
    "NIA-2025-TS-NC": (
        "individual",
        "팀 특화 데이터 — NC AI",
        "national-archives",
        "nia",
        ["national-archives-photos"],
        D(2025, 11, 3),
        2_800_000_000,
        [("nc-ai", "100")],
    ),
}


def price_and_vat(total_krw: int) -> tuple[int, int]:
    """A VAT-inclusive budget figure as price + 10% VAT (price rounded half up to the won)."""
    price = (total_krw * 10 + 5) // 11
    return price, total_krw - price


# Demo training-data declarations for the demo checkpoints (evaluation/demo_checkpoints.py):
# team slug: (releases openly, [(dataset, trained from, trained until)]). They show every outcome:
# LG declares an open release but trained on broadcast video (its licence forbids open weights);
# Upstage started on the household microdata before its entitlement began; NC AI declares nothing.
DEMO_DECLARATIONS = {
    "lg-ai-research": (
        True,
        [
            ("patent-fulltext", D(2025, 10, 1), D(2025, 12, 10)),
            ("national-archives-records", D(2025, 10, 1), D(2025, 12, 10)),
            ("mbc-news-video", D(2025, 11, 1), D(2025, 12, 10)),
        ],
    ),
    "upstage": (
        False,
        [("household-microdata", D(2025, 10, 15), D(2025, 12, 15)), ("kosis-tables", D(2025, 10, 1), D(2025, 12, 15))],
    ),
    "naver-cloud": (
        False,
        [
            ("national-archives-audio", D(2025, 11, 10), D(2025, 12, 20)),
            ("kbs-archive-video", D(2025, 11, 10), D(2025, 12, 20)),
        ],
    ),
    "sk-telecom": (
        True,
        [
            ("nikh-ancient-documents", D(2025, 11, 5), D(2025, 12, 20)),
            ("nikh-joseon-annals", D(2025, 10, 1), D(2025, 12, 20)),
        ],
    ),
}
