"""The cheap schema checks give the verdicts and errors of nbformat and nbgrader."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import nbbase
from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

from course.grading.schema_checks import fast_validation

OUTPUTS = [
    ("stream", {"output_type": "stream", "name": "stdout", "text": "hi\n"}),
    ("stream", {"output_type": "stream", "name": "stdout", "text": 5}),
    ("stream", {"output_type": "stream", "name": "stdin", "text": "x"}),
    ("execute_result", {"output_type": "execute_result", "data": {}, "metadata": {}}),
    (
        "execute_result",
        {"output_type": "execute_result", "data": {}, "metadata": {}, "execution_count": 2},
    ),
    (
        "display_data",
        {"output_type": "display_data", "data": {"text/plain": ["a"]}, "metadata": {}},
    ),
    ("display_data", {"output_type": "display_data", "data": {"text/plain": 3}, "metadata": {}}),
    ("error", {"output_type": "error", "ename": "E", "evalue": "v", "traceback": ["t"]}),
    ("error", {"output_type": "error", "ename": "E", "evalue": "v", "traceback": "t"}),
]


def _verdict(check, *args):
    try:
        check(*args)
    except Exception as error:  # the error itself is what is compared
        return type(error), str(error)
    return None


@pytest.mark.parametrize(("ref", "output"), OUTPUTS)
def test_output_check_gives_nbformats_verdict_and_error(ref, output):
    node = nbformat.from_dict(output)
    expected = _verdict(nbbase.validate, node, ref)
    with fast_validation():
        assert _verdict(nbformat.v4.nbbase.validate, node, ref) == expected
    assert nbformat.v4.nbbase.validate is nbbase.validate  # put back afterwards


def test_invalid_outputs_are_still_rejected():
    with fast_validation(), pytest.raises(nbformat.ValidationError):
        nbformat.v4.nbbase.validate(nbformat.from_dict(OUTPUTS[1][1]), "stream")


@pytest.mark.parametrize(
    "metadata",
    [
        {"grade": True, "solution": False, "locked": True, "points": 2, "grade_id": "a"},
        {"grade": True, "solution": False, "locked": True, "points": "two", "grade_id": "a"},
        {"grade": "yes", "solution": False, "locked": True, "grade_id": "a"},
    ],
)
def test_metadata_check_gives_nbgraders_verdict_and_error(metadata):
    cell = nbformat.v4.new_code_cell(
        "x = 1", metadata={"nbgrader": {**metadata, "schema_version": 3}}
    )
    expected = _verdict(MetadataValidatorV3().validate_cell, cell)
    with fast_validation():
        assert _verdict(MetadataValidatorV3().validate_cell, cell) == expected
