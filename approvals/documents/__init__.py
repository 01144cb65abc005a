"""Generated documents (minutes of council sessions), as PDF and as editable DOCX.

A document is first built as a list of blocks (`blocks.py`) from the database; the PDF and
DOCX renderers draw the same blocks, so both files always say the same thing.
"""
