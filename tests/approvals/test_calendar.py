import datetime

import pytest

from approvals.models import CalendarDay
from approvals.selectors.calendar import add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.django_db
D = datetime.date

# Vietnam's public holidays in 2026 as the `holidays` package gives them:
# 1/1 (Thu); Tết 16/2 (Mon) to 20/2 (Fri); Giỗ Tổ Hùng Vương 26/4 (Sun), observed 27/4 (Mon);
# 30/4 (Thu), 1/5 (Fri); 31/8 (Mon, swapped for a working Saturday 22/8), 1/9 (Tue), 2/9 (Wed);
# Ngày Văn hóa Việt Nam 24/11 (Tue).


def test_ten_working_days_from_a_monday_in_an_ordinary_week_end_two_weeks_later():
    assert add_working_days(D(2026, 3, 2), 10) == D(2026, 3, 16)


def test_the_next_working_day_after_a_friday_is_monday():
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)


def test_weekends_are_not_working_days():
    assert is_working_day(D(2026, 3, 6))
    assert not is_working_day(D(2026, 3, 7))
    assert not is_working_day(D(2026, 3, 8))


def test_tet_2026_is_off_from_monday_16_to_friday_20_february():
    assert is_working_day(D(2026, 2, 13))
    for day in range(16, 21):
        assert not is_working_day(D(2026, 2, day))
    assert is_working_day(D(2026, 2, 23))


def test_a_deadline_running_over_tet_skips_the_whole_tet_week():
    # Tue 10 to Fri 13 February are 4, Mon 23 to Fri 27 are 5 more, Mon 2 March is the 10th.
    assert add_working_days(D(2026, 2, 9), 10) == D(2026, 3, 2)
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1


def test_a_deadline_over_30_april_and_1_may_skips_them_and_the_observed_hung_kings_day():
    # Mon 27/4 observed, Tue 28 and Wed 29 count, Thu 30/4 and Fri 1/5 are off, then Mon 4/5.
    assert add_working_days(D(2026, 4, 24), 3) == D(2026, 5, 4)


def test_national_day_2026_is_off_monday_to_wednesday_and_saturday_22_august_is_worked():
    assert [is_working_day(D(2026, 8, 31)), is_working_day(D(2026, 9, 1))] == [False, False]
    assert not is_working_day(D(2026, 9, 2))
    assert is_working_day(D(2026, 8, 22))
    assert add_working_days(D(2026, 8, 21), 1) == D(2026, 8, 22)
    # From Fri 28/8: only Thu 3/9 and Fri 4/9 count.
    assert working_days_between(D(2026, 8, 28), D(2026, 9, 4)) == 2


def test_an_administrator_added_holiday_pushes_the_deadline_back_a_day():
    CalendarDay.objects.create(
        date=D(2026, 3, 10), kind="holiday", name="Nghỉ theo thông báo của Bộ"
    )

    assert not is_working_day(D(2026, 3, 10))
    assert add_working_days(D(2026, 3, 2), 10) == D(2026, 3, 17)


def test_a_make_up_saturday_counts_as_a_working_day():
    CalendarDay.objects.create(date=D(2026, 3, 7), kind="working_day", name="Làm bù")

    assert is_working_day(D(2026, 3, 7))
    assert add_working_days(D(2026, 3, 2), 10) == D(2026, 3, 13)
    assert working_days_between(D(2026, 3, 6), D(2026, 3, 9)) == 2


def test_an_administrator_can_make_a_statutory_holiday_a_working_day_and_back():
    CalendarDay.objects.create(date=D(2026, 4, 27), kind="working_day", name="Làm việc")
    CalendarDay.objects.create(date=D(2026, 8, 22), kind="holiday", name="Không làm bù")

    assert is_working_day(D(2026, 4, 27))
    assert not is_working_day(D(2026, 8, 22))


def test_working_days_between_across_a_weekend_counts_only_weekdays():
    # Fri 6, Mon 9 and Tue 10 March.
    assert working_days_between(D(2026, 3, 5), D(2026, 3, 10)) == 3
    assert working_days_between(D(2026, 3, 6), D(2026, 3, 9)) == 1
    assert working_days_between(D(2026, 3, 7), D(2026, 3, 8)) == 0


def test_working_days_between_is_zero_when_the_end_is_not_after_the_start():
    assert working_days_between(D(2026, 3, 10), D(2026, 3, 10)) == 0
    assert working_days_between(D(2026, 3, 10), D(2026, 3, 2)) == 0


def test_zero_working_days_is_the_start_or_the_next_working_day():
    assert add_working_days(D(2026, 3, 2), 0) == D(2026, 3, 2)
    assert add_working_days(D(2026, 2, 14), 0) == D(2026, 2, 23)


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(D(2026, 3, 2), -1)


def test_2026_has_249_working_days_counted_in_one_query(django_assert_max_num_queries):
    # 261 weekdays, less 13 weekday holidays, plus the make-up Saturday 22/8.
    with django_assert_max_num_queries(1):
        assert working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 249


def test_a_year_of_working_days_is_added_in_one_query(django_assert_max_num_queries):
    CalendarDay.objects.create(date=D(2026, 6, 1), kind="holiday", name="Nghỉ")
    with django_assert_max_num_queries(1):
        deadline = add_working_days(D(2025, 12, 31), 249)
    # The extra day off moves the end past Thu 31/12/2026 to Fri 1/1/2027, a holiday, to Mon 4/1.
    assert deadline == D(2027, 1, 4)


def test_a_single_day_check_is_one_query(django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        is_working_day(D(2026, 2, 17))
