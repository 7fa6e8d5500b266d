"""Plan 139/KH-UBND as far as public sources tell it, and no further.

Source: the news item of the province's information centre (DIC), 17/01/2019,
"Điện Biên: Triển khai công tác đối ngoại giai đoạn 2019 – 2021". The full text of the
plan is not public in any source we have: what the item does not say is left empty or
marked as still to be filled in, never guessed.
"""

import datetime

from plans.schedules import Schedule

NEWS_ITEM = (
    "Tin “Điện Biên: Triển khai công tác đối ngoại giai đoạn 2019 – 2021”, "
    "Trung tâm Thông tin tỉnh (DIC), 17/01/2019"
)

AGENCY_NOTE = (
    "Tên cơ quan theo hệ thống tổ chức năm 2019 (trước sắp xếp năm 2025), theo tài liệu "
    "tham chiếu của dự án; tên viết tắt theo cách viết thông dụng. Cập nhật trong trang "
    "quản trị khi cần."
)

_DEPARTMENTS = [
    ("vp-ubnd-tinh", "Văn phòng UBND tỉnh", "VP UBND tỉnh"),
    ("so-ngoai-vu", "Sở Ngoại vụ", "Sở Ngoại vụ"),
    ("so-noi-vu", "Sở Nội vụ", "Sở Nội vụ"),
    ("so-tu-phap", "Sở Tư pháp", "Sở Tư pháp"),
    ("so-khdt", "Sở Kế hoạch và Đầu tư", "Sở KH&ĐT"),
    ("so-tai-chinh", "Sở Tài chính", "Sở Tài chính"),
    ("so-cong-thuong", "Sở Công Thương", "Sở Công Thương"),
    ("so-nnptnt", "Sở Nông nghiệp và Phát triển nông thôn", "Sở NN&PTNT"),
    ("so-gtvt", "Sở Giao thông vận tải", "Sở GTVT"),
    ("so-xay-dung", "Sở Xây dựng", "Sở Xây dựng"),
    ("so-tnmt", "Sở Tài nguyên và Môi trường", "Sở TN&MT"),
    ("so-tttt", "Sở Thông tin và Truyền thông", "Sở TT&TT"),
    ("so-ldtbxh", "Sở Lao động – Thương binh và Xã hội", "Sở LĐ-TB&XH"),
    ("so-vhttdl", "Sở Văn hóa, Thể thao và Du lịch", "Sở VH,TT&DL"),
    ("so-khcn", "Sở Khoa học và Công nghệ", "Sở KH&CN"),
    ("so-gddt", "Sở Giáo dục và Đào tạo", "Sở GD&ĐT"),
    ("so-y-te", "Sở Y tế", "Sở Y tế"),
    ("thanh-tra-tinh", "Thanh tra tỉnh", "Thanh tra tỉnh"),
    ("ban-dan-toc", "Ban Dân tộc", "Ban Dân tộc"),
]

_OTHER_BODIES = [
    ("cong-an-tinh", "Công an tỉnh", "Công an tỉnh", "central_unit"),
    ("bo-chqs-tinh", "Bộ Chỉ huy Quân sự tỉnh", "Bộ CHQS tỉnh", "central_unit"),
    ("bo-chbdbp-tinh", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "Bộ CHBĐBP tỉnh", "central_unit"),
    ("ubmttq-tinh", "Ủy ban MTTQ Việt Nam tỉnh", "Ủy ban MTTQ tỉnh", "mass_organisation"),
    (
        "lien-hiep-huu-nghi",
        "Liên hiệp các tổ chức hữu nghị tỉnh",
        "Liên hiệp các tổ chức hữu nghị tỉnh",
        "mass_organisation",
    ),
    ("dai-ptth-tinh", "Đài Phát thanh – Truyền hình tỉnh", "Đài PT-TH tỉnh", "other"),
    ("bao-dien-bien-phu", "Báo Điện Biên Phủ", "Báo Điện Biên Phủ", "other"),
]

_DISTRICTS = [
    ("tp-dien-bien-phu", "UBND thành phố Điện Biên Phủ", "UBND TP. Điện Biên Phủ"),
    ("tx-muong-lay", "UBND thị xã Mường Lay", "UBND TX. Mường Lay"),
    ("h-dien-bien", "UBND huyện Điện Biên", "UBND huyện Điện Biên"),
    ("h-dien-bien-dong", "UBND huyện Điện Biên Đông", "UBND huyện Điện Biên Đông"),
    ("h-muong-ang", "UBND huyện Mường Ảng", "UBND huyện Mường Ảng"),
    ("h-muong-cha", "UBND huyện Mường Chà", "UBND huyện Mường Chà"),
    ("h-muong-nhe", "UBND huyện Mường Nhé", "UBND huyện Mường Nhé"),
    ("h-nam-po", "UBND huyện Nậm Pồ", "UBND huyện Nậm Pồ"),
    ("h-tua-chua", "UBND huyện Tủa Chùa", "UBND huyện Tủa Chùa"),
    ("h-tuan-giao", "UBND huyện Tuần Giáo", "UBND huyện Tuần Giáo"),
]


# Symbols on documents that the reference gives ("…/BC-SNgV" for the coordinating
# department); the others are filled in by the admins.
DOCUMENT_SYMBOLS = {"so-ngoai-vu": "SNgV"}


def _agency_rows(rows, kind=None):
    """Rows of (code, name, short name[, kind]) as Agency fields."""
    return [
        {
            "code": code,
            "name": name,
            "short_name": short,
            "kind": kind or row_kind[0],
            "source_note": AGENCY_NOTE,
            "document_symbol": DOCUMENT_SYMBOLS.get(code, ""),
        }
        for code, name, short, *row_kind in rows
    ]


AGENCIES = (
    _agency_rows(_DEPARTMENTS, "department")
    + _agency_rows(_OTHER_BODIES)
    + _agency_rows(_DISTRICTS, "district")
)

DEPARTMENT_CODES = [code for code, _name, _short in _DEPARTMENTS]
DISTRICT_CODES = [code for code, _name, _short in _DISTRICTS]

# Collective phrases as the plan writes them, and the agencies each stands for (the
# 2019 list). The coordinator may change the members in the admin; loading again keeps
# them as edited.
DEPARTMENTS_PHRASE = "các sở, ban, ngành tỉnh"
DISTRICTS_PHRASE = "UBND các huyện, thị xã, thành phố"

GROUPS = [
    {
        "name": DEPARTMENTS_PHRASE,
        "phrases": "Các sở, ban, ngành tỉnh\nCác sở, ban, ngành cấp tỉnh",
        "members": DEPARTMENT_CODES,
        "note": (
            f"Cụm từ trong {NEWS_ITEM}. Được hiểu là 19 sở, ngành cấp tỉnh trong danh sách năm 2019; "
            "cơ quan chủ trì của một nhiệm vụ không tính là cơ quan phối hợp của chính nhiệm vụ đó."
        ),
    },
    {
        "name": DISTRICTS_PHRASE,
        "phrases": "UBND các huyện, thị xã, thành phố\nỦy ban nhân dân các huyện, thị xã, thành phố",
        "members": DISTRICT_CODES,
        "note": (
            f"Cụm từ trong {NEWS_ITEM}: 10 đơn vị cấp huyện năm 2019. Cấp huyện chấm dứt hoạt động "
            "từ 01/07/2025; cơ quan nào thay cho nhóm này do sự kiện tổ chức lại cơ quan ghi nhận."
        ),
    },
]

PLAN = {
    "number": "139/KH-UBND",
    "title": (
        "Kế hoạch hành động triển khai công tác đối ngoại tỉnh Điện Biên giai đoạn "
        "2019 – 2021 và các năm tiếp theo"
    ),
    "issuer": "UBND tỉnh Điện Biên",
    # The item of 17/01/2019 says the plan was "vừa ban hành": January 2019, day unknown.
    "issued_on": None,
    "period_start": datetime.date(2019, 1, 1),
    "period_end": None,
    "coordinating_agency": "so-ngoai-vu",
    "status": "active",
    "summary": (
        "Thực hiện tốt các nhiệm vụ đề ra tại Hội nghị ngoại vụ toàn quốc lần thứ 19 và các "
        "nghị quyết, chỉ thị, chương trình hành động của Đảng, Nhà nước, của tỉnh về công tác "
        "đối ngoại và hội nhập quốc tế; tăng cường chỉ đạo và quản lý nhà nước về lĩnh vực đối "
        "ngoại và mở rộng quan hệ đối ngoại của tỉnh. Công tác đối ngoại phải bám sát chủ "
        "trương, chính sách đối ngoại của Đảng và Nhà nước, gắn kết chặt chẽ hoạt động đối "
        "ngoại của Đảng, ngoại giao Nhà nước và đối ngoại nhân dân; hội nhập quốc tế gắn với "
        "ổn định chính trị, bảo đảm quốc phòng, an ninh và giữ gìn bản sắc dân tộc; cụ thể "
        "hóa Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XIII."
    ),
    "source_note": (
        f"{NEWS_ITEM}. Ban hành tháng 01/2019, tin không nêu ngày ký. Thời gian: từ năm 2019, "
        "không có mốc kết thúc (“và các năm tiếp theo”). Toàn văn kế hoạch chưa có trong nguồn."
    ),
}

_AREA_NOTE = f"{NEWS_ITEM}: tên nội dung theo thứ tự tin nêu."

AREAS = [
    {"number": number, "title": title, "source_note": _AREA_NOTE}
    for number, title in [
        (1, "Tăng cường lãnh đạo, chỉ đạo và quản lý các hoạt động đối ngoại"),
        (2, "Hội nhập quốc tế và công tác ngoại giao kinh tế phục vụ phát triển bền vững"),
        (
            3,
            "Đẩy mạnh và làm sâu sắc hơn mối quan hệ hợp tác quốc tế, đặc biệt là với các địa "
            "phương nước CHDCND Lào, Trung Quốc và các nước trong cộng đồng ASEAN",
        ),
        (4, "Công tác ngoại giao văn hóa"),
        (5, "Công tác thông tin đối ngoại"),
        (6, "Công tác lãnh sự và bảo hộ công dân"),
        (7, "Công tác quản lý biên giới lãnh thổ quốc gia"),
        (8, "Tăng cường nguồn lực cho công tác đối ngoại"),
    ]
] + [
    {
        "number": 9,
        "title": "Nội dung thứ 9 – chưa có trong nguồn, cần bổ sung từ văn bản gốc",
        "source_note": (
            f"{NEWS_ITEM}: tin nêu kế hoạch có 9 nội dung nhưng chỉ kể tên 8 (kết thúc bằng “…”). "
            "Tên nội dung này cần bổ sung từ văn bản gốc."
        ),
    }
]

_DOCUMENT_NOTE = "Trích yếu và ngày ban hành theo văn bản đã công bố ({where})."

DOCUMENTS = [
    {
        "number": "281/QĐ-UBND",
        "title": (
            "Phê duyệt Đề án “Phát triển thông tin đối ngoại tỉnh Điện Biên giai đoạn 2018-2020 "
            "tầm nhìn đến 2025”"
        ),
        "issued_on": datetime.date(2018, 4, 12),
        "note": (
            f"Ngày ban hành chưa thống nhất giữa các nguồn: {NEWS_ITEM} ghi ngày 18/4/2018; các "
            "trang văn bản pháp luật và tin của tỉnh ngày 23/04/2018 ghi ngày 12/04/2018 (phần đầu "
            "văn bản: “Điện Biên, ngày 12 tháng 04 năm 2018”). Tạm ghi 12/04/2018; sửa khi đối chiếu "
            "được văn bản gốc."
        ),
    },
    {
        "number": "18/2018/QĐ-UBND",
        "title": "Ban hành Quy định về quản lý hoạt động thông tin đối ngoại trên địa bàn tỉnh Điện Biên",
        "issued_on": datetime.date(2018, 4, 12),
        "note": _DOCUMENT_NOTE.format(where="trang tin của tỉnh, 19/04/2018"),
    },
    {
        "number": "25/2012/QĐ-UBND",
        "title": "Ban hành Quy chế quản lý thống nhất các hoạt động đối ngoại trên địa bàn tỉnh Điện Biên",
        "issued_on": datetime.date(2012, 11, 12),
        "note": _DOCUMENT_NOTE.format(where="trang văn bản pháp luật; là “Quy chế”, không phải “Quy định”"),
    },
    {
        "number": "15/2015/QĐ-UBND",
        "title": (
            "Ban hành Quy chế theo dõi, đôn đốc, kiểm tra việc thực hiện nhiệm vụ do Ủy ban nhân "
            "dân tỉnh, Chủ tịch Ủy ban nhân dân tỉnh giao"
        ),
        "issued_on": datetime.date(2015, 9, 21),
        "note": _DOCUMENT_NOTE.format(
            where="toàn văn trên hai trang văn bản pháp luật; Chủ tịch UBND tỉnh ký, căn cứ Quyết định "
            "số 42/2014/QĐ-TTg"
        ),
    },
    {
        "number": "14/2014/QĐ-UBND",
        "title": "Ban hành Quy chế quản lý nhà nước về thông tin đối ngoại trên địa bàn tỉnh Điện Biên",
        "issued_on": datetime.date(2014, 7, 7),
        "note": _DOCUMENT_NOTE.format(where="toàn văn trên trang văn bản pháp luật"),
    },
]

TASKS = [
    {
        "code": "5.1",
        "area": 5,
        "title": (
            "Tham mưu đẩy mạnh công tác thông tin đối ngoại phục vụ quá trình hội nhập kinh tế "
            "quốc tế trên địa bàn tỉnh; trọng tâm là triển khai thực hiện có hiệu quả Quyết định "
            "số 281/QĐ-UBND"
        ),
        "description": (
            "Sở Thông tin và Truyền thông được giao chủ trì phối hợp với các sở, ban, ngành tỉnh "
            "và UBND các huyện, thị xã, thành phố tham mưu đẩy mạnh công tác thông tin đối ngoại "
            "phục vụ quá trình hội nhập kinh tế quốc tế trên địa bàn tỉnh và trọng tâm là triển "
            "khai thực hiện có hiệu quả Quyết định số 281/QĐ-UBND ngày 12/04/2018 của UBND tỉnh "
            "phê duyệt Đề án Phát triển thông tin đối ngoại tỉnh Điện Biên giai đoạn 2018 – 2020 "
            "tầm nhìn đến 2025."
        ),
        "expected_output": "",
        "lead_agency": "so-tttt",
        # As the source words them: two collective phrases, not a list of agencies.
        "cooperating_agencies": [],
        "cooperating_groups": [DEPARTMENTS_PHRASE, DISTRICTS_PHRASE],
        # The item gives neither a deadline nor an output: nothing is generated until
        # an admin fills them in from the original document.
        "schedule": Schedule.UNSPECIFIED,
        "source_note": (
            f"{NEWS_ITEM}: nội dung giao việc trích nguyên văn, trừ ngày của Quyết định số "
            "281/QĐ-UBND: tin ghi 18/4/2018, ở đây ghi ngày theo văn bản liên quan của kế hoạch "
            "(12/04/2018, xem ghi chú của văn bản đó). Mã 5.1 do cổng đặt (nhiệm vụ thứ nhất của "
            "nội dung 5). Cơ quan phối hợp ghi như nguồn: hai nhóm “các sở, ban, ngành tỉnh” và "
            "“UBND các huyện, thị xã, thành phố” (thành viên: xem từng nhóm). Nguồn không nêu sản "
            "phẩm và thời hạn: cần bổ sung từ văn bản gốc."
        ),
    }
]


# Values that earlier versions of these sources loaded and that the reference has since
# corrected, by (kind, natural key) and field (or fields corrected together). Loading
# again replaces a field only while it still holds one of these values: a field an
# admin has edited since is left alone.
SUPERSEDED = {
    ("documents", "281/QĐ-UBND"): {
        "title": [
            "Quyết định phê duyệt Đề án Phát triển thông tin đối ngoại tỉnh Điện Biên giai đoạn "
            "2018 – 2020, tầm nhìn đến 2025"
        ],
        "note": [
            f"Ngày ban hành chưa thống nhất giữa các nguồn: {NEWS_ITEM} ghi ngày 18/4/2018; các "
            "trang văn bản pháp luật và tin của tỉnh ngày 23/04/2018 ghi ngày 12/04/2018. "
            "Tạm ghi 12/04/2018; sửa khi đối chiếu được văn bản gốc."
        ],
    },
    ("documents", "18/2018/QĐ-UBND"): {
        "title": ["Quy định về hoạt động thông tin đối ngoại"],
        "note": ["Tài liệu tham chiếu của dự án (văn bản liên quan của tỉnh). Trích yếu tóm tắt."],
    },
    ("documents", "25/2012/QĐ-UBND"): {
        "title": ["Quy định về quản lý thống nhất các hoạt động đối ngoại"],
        "issued_on": [None],
        "note": ["Tài liệu tham chiếu của dự án; nguồn không nêu ngày ban hành. Trích yếu tóm tắt."],
    },
    ("documents", "15/2015/QĐ-UBND"): {
        "title": ["Quy định theo dõi, đôn đốc việc thực hiện nhiệm vụ do UBND tỉnh giao"],
        "note": ["Tài liệu tham chiếu của dự án (văn bản liên quan của tỉnh). Trích yếu tóm tắt."],
    },
    ("tasks", "5.1"): {
        # The 18 other departments and the 10 districts listed one by one, and no group.
        ("cooperating_agencies", "cooperating_groups"): [
            (sorted([code for code in DEPARTMENT_CODES if code != "so-tttt"] + DISTRICT_CODES), [])
        ],
        "description": [
            "Sở Thông tin và Truyền thông được giao chủ trì phối hợp với các sở, ban, ngành tỉnh "
            "và UBND các huyện, thị xã, thành phố tham mưu đẩy mạnh công tác thông tin đối ngoại "
            "phục vụ quá trình hội nhập kinh tế quốc tế trên địa bàn tỉnh và trọng tâm là triển "
            "khai thực hiện có hiệu quả Quyết định số 281/QĐ-UBND ngày 18/4/2018 của UBND tỉnh "
            "phê duyệt Đề án Phát triển thông tin đối ngoại tỉnh Điện Biên giai đoạn 2018 – 2020 "
            "tầm nhìn đến 2025."
        ],
        "source_note": [
            f"{NEWS_ITEM}: nội dung giao việc trích nguyên văn. Mã 5.1 do cổng đặt (nhiệm vụ thứ "
            "nhất của nội dung 5). “Các sở, ban, ngành tỉnh” được hiểu là 18 sở, ngành cấp tỉnh "
            "trong danh sách năm 2019 (trừ Sở TT&TT). Nguồn không nêu sản phẩm và thời hạn: cần "
            "bổ sung từ văn bản gốc."
        ],
    },
}


def load():
    """Load what the sources say into the database; idempotent (``plans.services.plan_load``)."""
    from plans.services import plan_load

    return plan_load(
        agencies=AGENCIES,
        groups=GROUPS,
        plan=PLAN,
        areas=AREAS,
        documents=DOCUMENTS,
        tasks=TASKS,
        superseded=SUPERSEDED,
    )
