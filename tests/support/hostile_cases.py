"""The checklist of ../shared/HOSTILE_INPUTS.md: each case and the tests that hold it.

``test_hostile_checklist.py`` checks that every test named here exists and that the
README's "Hostile inputs covered" table says the same.
"""

S = "test_browser.py::test_hostile_names_are_shown_literally_and_never_run"
M = "test_mapping.py::test_hostile_names_never_reach_the_page_raw"
J = "test_mapping.py::test_json_for_script_keeps_text_inert_and_exact"
D = "test_app.py::test_hostile_text_in_the_detail_is_escaped_markdown"
W = "test_validation.py::test_unsafe_or_malformed_websites_are_rejected"
CLI = "test_cli.py::test_hostile_files_through_the_command"

CASES: dict[int, tuple[str, ...]] = {
    1: (S, M, D), 2: (S, M, J), 3: (S, M, J), 4: (S, M, J), 5: (S, M, J),
    6: (W, "test_mapping.py::test_unsafe_urls_never_become_links"),
    7: (W,), 8: (W,),
    9: ("test_validation.py::test_invisible_and_bidi_characters_are_removed_and_forms_unified",),
    10: ("test_reader.py::test_utf8_bom_is_not_part_of_the_first_header",),
    11: ("test_reader.py::test_windows_1252_semicolon_crlf_from_french_excel",),
    12: ("test_reader.py::test_utf16_with_bom_is_decoded",
         "test_reader.py::test_nul_bytes_without_bom_are_a_binary_file"),
    13: ("test_reader.py::test_xlsx_renamed_csv_is_named_as_a_workbook",
         "test_reader.py::test_xlsx_is_read_as_text_cells"),
    14: ("test_reader.py::test_unquoted_separator_reports_that_line_only",
         "test_ingest.py::test_structural_problem_is_one_row_not_a_column_shift"),
    15: ("test_reader.py::test_short_row_is_reported_not_padded",),
    16: ("test_reader.py::test_unclosed_quote_names_the_line_where_it_starts",),
    17: ("test_reader.py::test_quoted_newlines_and_doubled_quotes_keep_later_line_numbers",
         "test_fuzz.py::test_every_written_row_is_read_back_or_reported"),
    18: ("test_reader.py::test_duplicate_headers_are_rejected_naming_both",),
    19: ("test_columns.py::test_french_headers_are_mapped",
         "test_columns.py::test_missing_required_column_is_named_with_the_header"),
    20: ("test_reader.py::test_no_data_rows",
         "test_ingest.py::test_missing_columns_and_unreadable_files_raise_before_anything"),
    21: ("test_reader.py::test_over_the_size_limit_is_refused_before_parsing",
         "test_reader.py::test_over_the_row_limit_is_refused_with_a_hint"),
    22: ("test_validation.py::test_field_limits",),
    23: ("test_reader.py::test_values_stay_text_na_and_leading_zeros",
         "test_validation.py::test_placeholder_words_are_text_not_missing"),
    24: ("test_reader.py::test_values_stay_text_na_and_leading_zeros",
         "test_store.py::test_written_rows_read_back_with_their_values"),
    25: ("test_validation.py::test_coordinates",
         "test_geocoding.py::test_given_coordinates_are_checked_against_the_country",
         "test_geocoding.py::test_import_locates_rows_and_reports_the_rest"),
    26: ("test_validation.py::test_formula_cells_are_stored_as_given_and_our_guard_is_undone",
         "test_export.py::test_csv_export_neutralises_text_but_not_numbers",
         "test_research.py::test_xlsx_export_guards_formulas_and_carries_licence"),
    27: ("test_ingest.py::test_duplicate_within_the_file_is_flagged_not_dropped",),
    28: ("test_ingest.py::test_possible_duplicate_of_the_registry_names_its_id",
         "test_ingest.py::test_lisbon_and_lisboa_are_the_same_place"),
    29: ("test_ingest.py::test_the_same_file_twice_is_recognised",),
    30: ("test_ingest.py::test_database_error_rolls_back_everything",),
    31: ("test_faults.py::test_two_uploads_at_once_while_the_public_browses",),
    32: ("test_staff_app.py::test_signed_out_visitors_have_no_staff_page_and_are_refused_by_url",
         "test_staff_app.py::test_every_write_checks_the_session_again"),
    33: ("test_accounts.py::test_repeated_failures_lock_with_back_off_and_every_attempt_is_logged",
         "test_accounts.py::test_back_off_grows_with_more_failures",
         "test_accounts.py::test_unknown_account_gets_the_same_answer_and_the_same_work"),
    34: ("test_accounts.py::test_passwords_are_stored_as_argon2_hashes_and_non_ascii_works",
         "test_staff_app.py::test_staff_add_an_organisation_with_the_upload_rules"),
    35: ("test_staff_app.py::test_signing_out_in_one_tab_stops_writes_from_another",
         "test_accounts.py::test_signing_out_ends_every_session_of_the_account"),
    36: ("test_cli.py::test_a_bug_shows_an_incident_id_and_logs_the_traceback",),
    37: ("test_geocoding.py::test_online_answers_are_told_apart",
         "test_geocoding.py::test_429_with_retry_after_waits_and_tries_once_more",
         "test_geocoding.py::test_a_long_retry_after_defers_instead_of_blocking",
         "test_geocoding.py::test_run_never_loses_a_row_and_pauses_on_403",
         "test_geocoding.py::test_a_failing_service_is_backed_off_then_left_for_the_next_run"),
    38: ("test_gazetteer.py::test_ambiguous_villages_go_to_review_and_a_postcode_resolves_them",
         "test_geocoding.py::test_import_locates_rows_and_reports_the_rest",
         "test_export.py::test_geojson_is_lon_lat_and_keeps_unlocated_with_null_geometry"),
    39: ("test_geocoding.py::test_killed_run_resumes_without_losing_or_repeating",),
    40: ("test_geocoding.py::test_manual_coordinates_are_never_overwritten",),
    41: ("test_faults.py::test_killing_imports_at_random_points_never_leaves_half_an_upload",
         "test_faults.py::test_killing_an_export_never_leaves_a_truncated_file_in_place"),
    42: ("test_export.py::test_atomic_write_keeps_the_previous_file_when_writing_fails",
         "test_backup.py::test_a_full_disk_keeps_the_previous_backup"),
    43: ("test_cli.py::test_public_export_is_published_only_and_staff_export_has_every_status",),
}

# Cases that cannot be tested here, with the reason (none at the moment).
PENDING: dict[int, str] = {}

# File cases as staff meet them, through `atlas import`.
for _case in (10, 11, 12, 14, 15, 16, 18, 19, 20, 22):
    CASES[_case] = (CLI, *CASES[_case])
CASES[13] = ("test_cli.py::test_a_13_workbook_renamed_csv_through_the_command", *CASES[13])
CASES[21] = ("test_cli.py::test_21_over_the_limit_is_refused_before_reading", *CASES[21])
