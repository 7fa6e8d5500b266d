"""Builds common-passwords-vi.txt, the Vietnamese list used with Django's
CommonPasswordValidator (settings AUTH_PASSWORD_VALIDATORS). Run it again after changing
the words below: ``python accounts/passwords/build_common_vi.py``.

Sources (all written out here, none downloaded):
- common Vietnamese words and phrases people use as passwords, typed without tones
  ("matkhau", "anhyeuem", "emyeuanh", "khongbiet", "motconvit"…), as listed in the
  password studies and breach round-ups published in Vietnam's press and security blogs;
- the names of the provinces, old (63, before 1 July 2025) and new (34, Resolution
  202/2025/QH15), without tones, and of Điện Biên's districts and towns;
- the province's agencies as officials write them (so, ubnd, songoaivu, sonoivu…) and the
  portal's own words (portal, canbo, lanhdao, quantri, admin);
- common family names and given names, without tones;
- keyboard runs (qwerty, asdfgh, 1qaz2wsx…) and digit runs;
each word also with the years 1950–2030 and the usual endings (123, 1234, @123, !…).
Entries are lower case: the validator compares the password in lower case.
"""

from pathlib import Path

WORDS = """
matkhau matkhaumoi matkhaucuatoi doimatkhau quenmatkhau password passw0rd
anhyeuem emyeuanh yeuem yeuanh toiyeuem toiyeuban anhyeuemnhieu emyeuanhnhieu yeuemnhieu
tinhyeu tinhyeucuatoi yeuthuong nguoiyeu vothuong chongyeu voyeu conyeu giadinh
khongbiet hoilamgi motconvit xinchao chaoban camon hanhphuc thanhcong binhyen bantrai bangai
vietnam vietnamvodich vietnamoi conggiao phatgiao trangchu dangnhap taikhoan nguoidung
quantri quantrivien admin administrator canbo canbodonvi lanhdao chuyenvien vanthu ketoan
doingoai ngoaivu songoaivu sonoivu sotuphap sotaichinh sokehoach sokhdt sotttt sovhttdl sogddt
soyte sotnmt sonnptnt sogtvt soxaydung socongthuong solaodong ubnd ubndtinh hdnd tinhuy
thanhuy huyenuy congan quandoi bienphong dienbien dienbienphu muongthanh muongphang tuanGiao
tuangiao muongcha muongnhe muongang nampo dienbiendong tuachua muonglay thanhpho
hanoi haiphong danang saigon hochiminh tphcm cantho hue thuathienhue laichau sonla laocai
yenbai hagiang caobang langson bacgiang bacninh bacKan backan thainguyen tuyenquang phutho
vinhphuc hoabinh quangninh haiduong hungyen thaibinh hanam namdinh ninhbinh thanhhoa nghean
hatinh quangbinh quangtri quangnam quangngai binhdinh phuyen khanhhoa ninhthuan binhthuan
kontum gialai daklak daknong lamdong binhphuoc tayninh binhduong dongnai bariavungtau vungtau
longan tiengiang bentre travinh vinhlong dongthap angiang kiengiang haugiang soctrang baclieu
camau nhatrang dalat phuquoc sapa halong
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh lam mai trinh
anh minh huong linh trang hoa lan mai thu ha hanh hang hieu hung hai hoang huy khanh long
nam ngoc phuong quang quynh son tam thanh thao thuy tuan tung vy yen duc dung giang phong
nguyenvanan nguyenvana tranvanb nguyenthia
1qaz2wsx3edc zaq12wsx qwertyuiop123 qwerty qwertyuiop asdfgh asdfghjkl zxcvbn zxcvbnm
1qaz2wsx qazwsx qweasd qweasdzxc
abcdef abcdefgh abc abcd aaaaaa abc123 iloveyou superman batman
123456 1234567 12345678 123456789 1234567890 0123456789 987654321 111111 000000 123123
"""

SUFFIXES = ["", "1", "12", "123", "1234", "12345", "123456", "@123", "@1234", "!", "@", "#", "123@", "1@"]
YEARS = range(1950, 2031)


def build() -> list[str]:
    words = sorted({word.lower() for word in WORDS.split()})
    entries = set()
    for word in words:
        entries.update(word + suffix for suffix in SUFFIXES)
        entries.update(f"{word}{year}" for year in YEARS)
        entries.update(f"{word}@{year}" for year in YEARS)
        entries.add(word * 2)
    return sorted(entries)


# The list's first lines: Django's validator reads every line as an entry, and no
# password is ever "#…", so the notes cost nothing.
HEADER = [
    "# Vietnamese common passwords for Django's CommonPasswordValidator (lower case, one a line).",
    "# Built by accounts/passwords/build_common_vi.py; its docstring lists the sources:",
    "# common Vietnamese words and phrases without tones, province, district and agency names,",
    "# family and given names, keyboard and digit runs, each with years 1950-2030 and usual endings.",
]


def main() -> None:
    here = Path(__file__).resolve().parent
    entries = build()
    (here / "common-passwords-vi.txt").write_text("\n".join(HEADER + entries) + "\n", encoding="utf-8")
    print(f"{len(entries)} entries")


if __name__ == "__main__":
    main()
