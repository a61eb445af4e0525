"""People: identifier rule, roster files, headers, NUMEN, row to person."""
