"""Demo organisation, catalogue and campaigns.

The units and bloc no. 2 follow the seed article (Decision 1200/QĐ-BQP, bloc no. 2: the
military regions and the Hanoi Capital High Command). Divisions, provincial commands and
regiments below them are illustrative, and every person is fictional.
"""

import datetime

D = datetime.date

# (code, short name, full name, level, strength, nominations include sub-units)
MINISTRY = ("bqp", "Bộ Quốc phòng", "Bộ Quốc phòng", "ministry", 0, True)
MINISTRY_BODIES = [
    ("tcct", "Tổng cục Chính trị", "Tổng cục Chính trị Quân đội nhân dân Việt Nam", 2400),
    ("bttm", "Bộ Tổng Tham mưu", "Bộ Tổng Tham mưu Quân đội nhân dân Việt Nam", 3100),
]
SECRETARIAT = ("cth", "Cục Tuyên huấn", "Cục Tuyên huấn, Tổng cục Chính trị", "tcct", 320)

# region code, short name, full name, strength, [(division code, name)], [(province code, name)]
REGIONS = [
    (
        "qk1",
        "Quân khu 1",
        "Bộ Tư lệnh Quân khu 1",
        21000,
        [("f3", "Sư đoàn 3"), ("f346", "Sư đoàn 346")],
        [("lson", "Lạng Sơn"), ("cbang", "Cao Bằng")],
    ),
    (
        "qk2",
        "Quân khu 2",
        "Bộ Tư lệnh Quân khu 2",
        22000,
        [("f316", "Sư đoàn 316"), ("f355", "Sư đoàn 355")],
        [("lcai", "Lào Cai"), ("dbien", "Điện Biên")],
    ),
    (
        "qk3",
        "Quân khu 3",
        "Bộ Tư lệnh Quân khu 3",
        23000,
        [("f395", "Sư đoàn 395"), ("f350", "Sư đoàn 350")],
        [("hphong", "Hải Phòng"), ("qninh", "Quảng Ninh")],
    ),
    (
        "qk4",
        "Quân khu 4",
        "Bộ Tư lệnh Quân khu 4",
        21500,
        [("f324", "Sư đoàn 324"), ("f968", "Sư đoàn 968")],
        [("nan", "Nghệ An"), ("htinh", "Hà Tĩnh")],
    ),
    (
        "qk5",
        "Quân khu 5",
        "Bộ Tư lệnh Quân khu 5",
        22500,
        [("f2", "Sư đoàn 2"), ("f315", "Sư đoàn 315")],
        [("dnang", "Đà Nẵng"), ("qngai", "Quảng Ngãi")],
    ),
    (
        "qk7",
        "Quân khu 7",
        "Bộ Tư lệnh Quân khu 7",
        24000,
        [("f5", "Sư đoàn 5"), ("f302", "Sư đoàn 302")],
        [("dnai", "Đồng Nai"), ("tninh", "Tây Ninh")],
    ),
    (
        "qk9",
        "Quân khu 9",
        "Bộ Tư lệnh Quân khu 9",
        20500,
        [("f330", "Sư đoàn 330"), ("f4", "Sư đoàn 4")],
        [("ctho", "Cần Thơ"), ("agiang", "An Giang")],
    ),
    (
        "btlhn",
        "Bộ Tư lệnh Thủ đô Hà Nội",
        "Bộ Tư lệnh Thủ đô Hà Nội",
        19000,
        [("f301", "Sư đoàn 301"), ("lu201", "Lữ đoàn 201")],
        [("bavi", "Ba Vì"), ("soctn", "Sóc Sơn")],
    ),
]
REGIMENTS_PER_DIVISION = 2
PEOPLE_PER_UNIT = {"direct": 6, "division": 6, "regiment": 3, "grassroots": 2}

BLOC_2 = {
    "code": "khoi-2",
    "name": "Khối thi đua số 2 (các quân khu và Bộ Tư lệnh Thủ đô Hà Nội)",
    "established_by": "Quyết định số 1200/QĐ-BQP ngày 29/3/2024",
    "members": ["qk1", "qk2", "qk3", "qk4", "qk5", "qk7", "qk9", "btlhn"],
    "start_year": 2024,
    # year -> (leader, deputy); 2024 and 2026 leaders from the record, deputies illustrative
    "leaderships": {2024: ("qk1", "qk2", D(2024, 5, 31)), 2026: ("qk3", "qk4", None)},
    "pledge_signed_on": D(2024, 5, 31),
}

DOCUMENT_TYPES = [
    ("to-trinh", "Tờ trình đề nghị khen thưởng"),
    ("bao-cao-thanh-tich", "Báo cáo thành tích"),
    ("tom-tat-thanh-tich", "Tóm tắt thành tích"),
    ("bien-ban-binh-xet", "Biên bản họp bình xét"),
    ("bien-ban-hoi-dong", "Biên bản họp Hội đồng TĐKT (kết quả bỏ phiếu kín)"),
    ("chung-nhan-sang-kien", "Giấy chứng nhận sáng kiến, đề tài được công nhận"),
    ("xac-nhan-dot-xuat", "Văn bản xác nhận thành tích đột xuất"),
    ("y-kien-cap-uy", "Ý kiến của cấp ủy Đảng"),
    ("ket-qua-suy-ton", "Biên bản bình xét, suy tôn của khối thi đua"),
]
BASIC_DOSSIER = ["to-trinh", "bao-cao-thanh-tich", "bien-ban-binh-xet"]
# The stage kind a document must be in the dossier before leaving (default: the unit's
# preparation): the Party committee's opinion and the unit council's minutes come with the
# commander's approval; the secretariat's appraisal checks the bloc's acclaim minutes.
DOCUMENT_STAGE = {
    "y-kien-cap-uy": "approval",
    "bien-ban-hoi-dong": "approval",
    "ket-qua-suy-ton": "appraisal",
}

LAW = "Luật TĐKT 06/2022/QH15; Thông tư 118/2023/TT-BQP"

# code, name, English, kind, subject, deciding level, threshold %, rule, posting days,
# extra documents, rules [(kind, params, description)]
AWARDS = [
    (
        "cstt",
        "Chiến sĩ tiên tiến",
        "Advanced Soldier",
        "title",
        "individual",
        "unit_commander",
        50,
        "gt",
        0,
        [],
        [("quota_of_strength", {"percent": 40}, "Không quá 40% quân số của đơn vị")],
    ),
    (
        "ldtt",
        "Lao động tiên tiến",
        "Advanced Worker",
        "title",
        "individual",
        "unit_commander",
        50,
        "gt",
        0,
        [],
        [("quota_of_strength", {"percent": 40}, "Không quá 40% quân số của đơn vị")],
    ),
    (
        "cstdcs",
        "Chiến sĩ thi đua cơ sở",
        "Grassroots Emulation Soldier",
        "title",
        "individual",
        "unit_commander",
        50,
        "gt",
        0,
        ["chung-nhan-sang-kien"],
        [
            ("same_year", {"awards": ["cstt", "ldtt"]}, "Đạt Chiến sĩ tiên tiến trong năm"),
            ("initiative", {"level": "regiment"}, "Có sáng kiến được công nhận từ cấp trung đoàn"),
            ("quota_of_strength", {"percent": 10}, "Không quá 10% quân số của đơn vị"),
        ],
    ),
    (
        "cstdtq",
        "Chiến sĩ thi đua toàn quân",
        "Army Emulation Soldier",
        "title",
        "individual",
        "minister",
        90,
        "gte",
        0,
        ["chung-nhan-sang-kien"],
        [
            (
                "consecutive_prior",
                {"award": "cstdcs", "years": 3},
                "Có 3 lần liên tục đạt Chiến sĩ thi đua cơ sở",
            ),
            ("initiative", {"level": "army"}, "Sáng kiến có phạm vi ảnh hưởng toàn quân"),
        ],
    ),
    (
        "cstdtqc",
        "Chiến sĩ thi đua toàn quốc",
        "National Emulation Soldier",
        "title",
        "individual",
        "prime_minister",
        90,
        "gte",
        0,
        ["chung-nhan-sang-kien"],
        [
            (
                "consecutive_prior",
                {"award": "cstdtq", "years": 2},
                "Có 2 lần liên tục đạt Chiến sĩ thi đua toàn quân",
            ),
            ("initiative", {"level": "national"}, "Sáng kiến được áp dụng toàn quốc"),
        ],
    ),
    (
        "dvtt",
        "Đơn vị tiên tiến",
        "Advanced Unit",
        "title",
        "collective",
        "unit_commander",
        50,
        "gt",
        0,
        [],
        [],
    ),
    (
        "dvqt",
        "Đơn vị Quyết thắng",
        "Determined-to-Win Unit",
        "title",
        "collective",
        "direct_commander",
        50,
        "gt",
        0,
        [],
        [("quota_of_units", {"percent": 20}, "Không quá 20% số đơn vị")],
    ),
    (
        "co-qk",
        "Cờ thi đua của quân khu, quân chủng, tổng cục",
        "Emulation Flag of a military region, service or general department",
        "title",
        "collective",
        "direct_commander",
        50,
        "gt",
        0,
        [],
        [],
    ),
    (
        "co-bqp",
        "Cờ thi đua của Bộ Quốc phòng",
        "Ministry of Defence Emulation Flag",
        "title",
        "collective",
        "minister",
        50,
        "gt",
        0,
        ["ket-qua-suy-ton"],
        [("bloc_acclaim", {}, "Được khối thi đua bình xét, suy tôn dẫn đầu phong trào")],
    ),
    (
        "co-cp",
        "Cờ thi đua của Chính phủ",
        "Government Emulation Flag",
        "title",
        "collective",
        "prime_minister",
        50,
        "gt",
        0,
        ["ket-qua-suy-ton"],
        [("same_year", {"awards": ["co-bqp"]}, "Đạt Cờ thi đua của Bộ Quốc phòng trong năm")],
    ),
    (
        "giay-khen",
        "Giấy khen",
        "Commander's Certificate of Merit",
        "commendation",
        "both",
        "parent_commander",
        50,
        "gt",
        0,
        [],
        [],
    ),
    (
        "bk-bqp",
        "Bằng khen của Bộ trưởng Bộ Quốc phòng",
        "Minister of Defence's Certificate of Merit",
        "commendation",
        "both",
        "minister",
        50,
        "gt",
        0,
        [],
        [],
    ),
    (
        "bk-ttg",
        "Bằng khen của Thủ tướng Chính phủ",
        "Prime Minister's Certificate of Merit",
        "commendation",
        "both",
        "prime_minister",
        50,
        "gt",
        0,
        [],
        [],
    ),
    (
        "hc-bvtq-3",
        "Huân chương Bảo vệ Tổ quốc hạng Ba",
        "Fatherland Defence Order, Third Class",
        "commendation",
        "both",
        "president",
        50,
        "gt",
        10,
        ["y-kien-cap-uy"],
        [],
    ),
    (
        "hc-qkqt",
        "Huy chương Quân kỳ quyết thắng",
        "Determined-to-Win Army Flag Medal",
        "commendation",
        "individual",
        "minister",
        50,
        "gt",
        0,
        [],
        [
            (
                "min_service_years",
                {"years": 25, "count_maternity_leave": True},
                "Có 25 năm liên tục phục vụ trong Quân đội",
            )
        ],
    ),
    (
        "ahllvt",
        "Anh hùng Lực lượng vũ trang nhân dân",
        "Hero of the People's Armed Forces",
        "commendation",
        "both",
        "president",
        90,
        "gte",
        10,
        ["y-kien-cap-uy", "bien-ban-hoi-dong"],
        [],
    ),
]
# Initiatives recognised in 2026 for the first people of Sư đoàn 3: (title, level 1–6)
DEMO_INITIATIVES = [
    ("Cải tiến giá đỡ súng cối 82 mm phục vụ huấn luyện ban đêm", 2),
    ("Mô hình học cụ bắn súng tiểu liên AK điện tử", 3),
    ("Phần mềm quản lý quân số, vũ khí trang bị cấp đại đội", 2),
    ("Quy trình bảo quản khí tài quang học mùa mưa", 1),
]
# An earlier version kept to show that rules have effective dates (Circular 151/2018).
OLD_VERSIONS = {"cstdcs": (D(2019, 1, 1), D(2023, 12, 31), "Thông tư 151/2018/TT-BQP")}
COMMON_EXCLUSIONS = [
    ("no_pending_discipline", {}, "Không đang bị xem xét kỷ luật, thanh tra, khiếu nại"),
    ("once_per_campaign", {}, "Không đề nghị trùng danh hiệu trong cùng một đợt"),
]

CAMPAIGNS = [
    (
        "tdqt-2024-cuoi-nam",
        "Thi đua Quyết thắng 6 tháng cuối năm 2024",
        "thematic",
        2024,
        D(2024, 6, 1),
        D(2024, 12, 31),
        D(2024, 11, 15),
        D(2024, 11, 28),
        False,
    ),
    (
        "tdqt-2025",
        "Phong trào Thi đua Quyết thắng năm 2025",
        "yearly",
        2025,
        D(2025, 1, 1),
        D(2025, 12, 31),
        D(2025, 11, 10),
        D(2025, 11, 27),
        False,
    ),
    (
        "tdqt-2026",
        "Phong trào Thi đua Quyết thắng năm 2026",
        "yearly",
        2026,
        D(2026, 1, 1),
        D(2026, 12, 31),
        D(2026, 12, 10),
        D(2026, 12, 22),
        True,
    ),
]

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trịnh",
    "Mai",
    "Tạ",
]
MALE_MIDDLE = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Công", "Xuân", "Đình", "Mạnh"]
FEMALE_MIDDLE = ["Thị", "Thu", "Ngọc", "Thanh", "Minh", "Phương", "Hồng"]
MALE_GIVEN = [
    "Anh",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Giang",
    "Hải",
    "Hiếu",
    "Hùng",
    "Huy",
    "Khánh",
    "Long",
    "Mạnh",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thắng",
    "Thành",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
    "Toàn",
    "Lâm",
]
FEMALE_GIVEN = [
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngọc",
    "Nhung",
    "Thảo",
    "Trang",
    "Yến",
]
POSITIONS = {
    "direct": [
        "Trợ lý Tuyên huấn",
        "Trưởng phòng Tuyên huấn",
        "Trợ lý Thi đua - Khen thưởng",
        "Phó Chủ nhiệm Chính trị",
        "Tham mưu trưởng",
        "Nhân viên văn thư",
    ],
    "division": [
        "Sư đoàn trưởng",
        "Chính ủy",
        "Trợ lý Tuyên huấn",
        "Trợ lý Tác huấn",
        "Chủ nhiệm Chính trị",
        "Nhân viên quân y",
    ],
    "regiment": ["Trung đoàn trưởng", "Chính ủy", "Trợ lý Chính trị", "Đại đội trưởng"],
    "grassroots": ["Tiểu đoàn trưởng", "Trung đội trưởng", "Tiểu đội trưởng", "Chiến sĩ"],
}

# Ministry council: 17 seats (90% of 17 needs 16 agree votes). Demo users hold some seats.
MINISTRY_COUNCIL_SIZE = 17
REGION_COUNCIL_SIZE = 9
DIVISION_COUNCIL_SIZE = 7
COUNCIL_TERM_START = D(2024, 1, 1)
# one seat of the Ministry council changed hands on this date (shows a past roster)
COUNCIL_SEAT_CHANGE = D(2025, 7, 1)

DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - printed by `make run`, demo only
# username, full name, gender, unit code, position, [(role, scope kind, scope code)]
DEMO_USERS = [
    (
        "quantri",
        "Lê Minh Quân",
        "male",
        "cth",
        "Trợ lý công nghệ thông tin",
        [("administrator", "global", "")],
    ),
    (
        "canbo.f3",
        "Phạm Thu Hà",
        "female",
        "f3",
        "Trợ lý Tuyên huấn Sư đoàn 3",
        [("unit_officer", "unit", "f3")],
    ),
    (
        "chihuy.f3",
        "Trần Quang Dũng",
        "male",
        "f3",
        "Sư đoàn trưởng",
        [("unit_commander", "unit", "f3")],
    ),
    (
        "canbo.qk1",
        "Nguyễn Thị Hồng",
        "female",
        "qk1",
        "Trợ lý Thi đua - Khen thưởng Quân khu 1",
        [("unit_officer", "unit", "qk1")],
    ),
    (
        "chihuy.qk1",
        "Hoàng Văn Thắng",
        "male",
        "qk1",
        "Tư lệnh Quân khu",
        [("unit_commander", "unit", "qk1"), ("deciding_authority", "unit", "qk1")],
    ),
    (
        "canbo.qk3",
        "Vũ Đức Long",
        "male",
        "qk3",
        "Trợ lý Thi đua - Khen thưởng Quân khu 3",
        [("unit_officer", "unit", "qk3")],
    ),
    (
        "khoi2.canbo",
        "Đặng Ngọc Lan",
        "female",
        "qk3",
        "Trợ lý Tuyên huấn, khối trưởng năm 2026",
        [("bloc_officer", "bloc", "khoi-2")],
    ),
    (
        "hd.chutich",
        "Ngô Xuân Sơn",
        "male",
        "tcct",
        "Chủ nhiệm Tổng cục Chính trị",
        [("council_chair", "council", "bqp")],
    ),
    (
        "hd.thuky",
        "Bùi Thị Mai",
        "female",
        "cth",
        "Trưởng phòng Thi đua - Khen thưởng",
        [("council_secretary", "council", "bqp"), ("council_member", "council", "bqp")],
    ),
    (
        "hd.uyvien1",
        "Đỗ Mạnh Cường",
        "male",
        "bttm",
        "Phó Tổng Tham mưu trưởng",
        [("council_member", "council", "bqp")],
    ),
    (
        "hd.uyvien2",
        "Dương Công Hải",
        "male",
        "tcct",
        "Phó Chủ nhiệm Tổng cục Chính trị",
        [("council_member", "council", "bqp")],
    ),
    (
        "hd.uyvien3",
        "Lý Thanh Hương",
        "female",
        "cth",
        "Cục trưởng Cục Tuyên huấn",
        [("council_member", "council", "bqp")],
    ),
    (
        "tth.canbo",
        "Mai Hữu Việt",
        "male",
        "cth",
        "Trợ lý Phòng Thi đua - Khen thưởng",
        [("secretariat_officer", "unit", "bqp")],
    ),
    (
        "bqp.thutruong",
        "Trịnh Đình Hùng",
        "male",
        "bqp",
        "Bộ trưởng Bộ Quốc phòng",
        [("deciding_authority", "unit", "bqp")],
    ),
]
# council seats the demo users take: username -> (council unit code, council role)
DEMO_COUNCIL_SEATS = {
    "hd.chutich": ("bqp", "chair"),
    "hd.thuky": ("bqp", "secretary"),
    "hd.uyvien1": ("bqp", "vice_chair"),
    "hd.uyvien2": ("bqp", "standing_vice_chair"),
    "hd.uyvien3": ("bqp", "member"),
}
