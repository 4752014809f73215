"""Revised Romanization by the rules of the 2000 notice, against values typed from those rules.

Every expected value below was typed by hand from the notice's own examples (Chapter 2: the
letters; Chapter 3, Article 1: sound changes; Article 5: units; Article 6: names without a
unit), or, for the database, worked out letter by letter from the same rules; none was
produced by the code under test or by its library.
"""

import pytest

from nkcities.romanize import romanize, romanize_place

# The notice's examples. Left out: the ones that need a word's meaning, not its letters
# (신문로 Sinmunno, 학여울 Hangnyeoul, 알약 allyak: a ㄴ or ㄹ the spelling does not show), and
# verb forms (잡혀 japyeo, 굳히다 guchida), where ㅎ after ㄱ, ㄷ, ㅂ is not written as it is in
# nouns (묵호 Mukho): no place name here is either.
NOTICE_EXAMPLES = {
    # Chapter 2: the letters, and ㄱ, ㄷ, ㅂ, ㄹ before a vowel or at the end of a syllable.
    "구미": "Gumi", "영동": "Yeongdong", "백암": "Baegam", "옥천": "Okcheon", "합덕": "Hapdeok",
    "호법": "Hobeop", "월곶": "Wolgot", "벚꽃": "Beotkkot", "한밭": "Hanbat", "구리": "Guri",
    "설악": "Seorak", "칠곡": "Chilgok", "임실": "Imsil", "울릉": "Ulleung",
    "대관령": "Daegwallyeong",
    # Article 1.1: assimilation of consonants.
    "백마": "Baengma", "종로": "Jongno", "왕십리": "Wangsimni", "별내": "Byeollae",
    "신라": "Silla",
    # Article 1.3 and 1.4: palatalization, aspiration; in nouns ㅎ after ㄱ, ㄷ, ㅂ is written.
    "해돋이": "Haedoji", "같이": "Gachi", "좋고": "Joko", "놓다": "Nota", "낳지": "Nachi",
    "묵호": "Mukho", "집현전": "Jiphyeonjeon",
    # Article 1, note: tensing is not written.
    "압구정": "Apgujeong", "낙동강": "Nakdonggang", "죽변": "Jukbyeon", "낙성대": "Nakseongdae",
    "합정": "Hapjeong", "팔당": "Paldang", "샛별": "Saetbyeol", "울산": "Ulsan",
    # Article 6: natural features, cultural properties and the like, with no hyphen.
    "남산": "Namsan", "속리산": "Songnisan", "금강": "Geumgang", "독도": "Dokdo",
    "경복궁": "Gyeongbokgung", "무량수전": "Muryangsujeon", "연화교": "Yeonhwagyo",
    "극락전": "Geungnakjeon", "안압지": "Anapji", "남한산성": "Namhansanseong",
    "화랑대": "Hwarangdae", "불국사": "Bulguksa", "현충사": "Hyeonchungsa",
    "독립문": "Dongnimmun", "오죽헌": "Ojukheon", "촉석루": "Chokseongnu", "종묘": "Jongmyo",
    "다보탑": "Dabotap",
    # Article 2: the hyphen that parts syllables is optional; names are written without it.
    "중앙": "Jungang", "해운대": "Haeundae", "세운": "Seun", "반구대": "Bangudae",
}

# Article 5: a hyphen before the unit, and no sound change across it (Inwang-ri, not Inwang-ni).
UNIT_EXAMPLES = [
    ("충청북", "도", "Chungcheongbuk-do"), ("제주", "도", "Jeju-do"),
    ("의정부", "시", "Uijeongbu-si"), ("양주", "군", "Yangju-gun"), ("도봉", "구", "Dobong-gu"),
    ("신창", "읍", "Sinchang-eup"), ("삼죽", "면", "Samjuk-myeon"), ("인왕", "리", "Inwang-ri"),
    ("당산", "동", "Dangsan-dong"),
]

# Every RR value of the database, worked out from the rules above. North Korean spellings keep
# their initial ㄹ (라선 Raseon, 량강도 Ryanggang-do): the rules romanize the Hangul as written.
PROVINCES_RR = {
    "Pyongyang": "Pyeongyang", "South Pyongan": "Pyeongannam-do",
    "North Pyongan": "Pyeonganbuk-do", "Chagang": "Jagang-do",
    "South Hwanghae": "Hwanghaenam-do", "North Hwanghae": "Hwanghaebuk-do",
    "Kangwon": "Gangwon-do", "South Hamgyong": "Hamgyeongnam-do",
    "North Hamgyong": "Hamgyeongbuk-do", "Ryanggang": "Ryanggang-do", "Rason": "Raseon",
    "Nampo": "Nampo", "Kaesong": "Gaeseong",
}
CITIES_RR = {
    "Anju": "Anju", "Chongjin": "Cheongjin", "Chongju": "Jeongju", "Haeju": "Haeju",
    "Hamhung": "Hamheung", "Hoeryong": "Hoeryeong", "Huichon": "Huicheon", "Hyesan": "Hyesan",
    "Kaechon": "Gaecheon", "Kaesong": "Gaeseong", "Kanggye": "Ganggye",
    "Kimchaek": "Gimchaek", "Kusong": "Guseong", "Manpo": "Manpo", "Munchon": "Muncheon",
    "Nampo": "Nampo", "Pyongsong": "Pyeongseong", "Pyongyang": "Pyeongyang",
    "Rason": "Raseon", "Sariwon": "Sariwon", "Samjiyon": "Samjiyeon", "Sinpo": "Sinpo",
    "Sinuiju": "Sinuiju", "Songrim": "Songnim", "Sunchon": "Suncheon",
    "Tokchon": "Deokcheon", "Tanchon": "Dancheon", "Wonsan": "Wonsan",
}


@pytest.mark.parametrize("hangul, rr", NOTICE_EXAMPLES.items())
def test_the_notice_examples(hangul, rr):
    assert romanize(hangul) == rr


@pytest.mark.parametrize("name, unit, rr", UNIT_EXAMPLES)
def test_a_hyphen_before_the_unit(name, unit, rr):
    assert romanize(name, unit) == rr
    assert romanize_place(name + unit, units=(unit,)) == rr


def test_a_name_that_merely_ends_like_a_unit_is_not_split():
    assert romanize_place("독도", units=()) == "Dokdo"
    assert romanize_place("도") == "Do"


def test_only_the_units_of_the_rules():
    with pytest.raises(ValueError):
        romanize("평양", "직할")


def test_every_rr_of_the_database(db):
    assert dict(db.execute("SELECT name, rr FROM provinces")) == PROVINCES_RR
    assert dict(db.execute("SELECT name, rr FROM cities")) == CITIES_RR
    assert dict(db.execute("""SELECT cities.name, city_names.name FROM city_names
        JOIN cities ON cities.id = city_names.city_id WHERE writing_system = 'RR'""")) == CITIES_RR


def test_provinces_end_in_do_and_province_level_cities_do_not(db):
    for name, kind, rr in db.execute("SELECT name, kind, rr FROM provinces"):
        assert rr.endswith("-do") == (kind == "province"), name
