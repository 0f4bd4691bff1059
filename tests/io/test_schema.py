"""Column schemas: every Arrow spelling of text (a pandas Categorical, large_string, string_view)
is trimmed and NUL-checked exactly as a plain string column is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

import fbopt
from fbopt.cli.main import cli
from fbopt.drafts.stage import TOPICS_SCHEMA
from fbopt.errors import InputError
from fbopt.pipeline import open_input

# The ways a DataFrame's text column reaches Arrow, besides a plain `string`.
ENCODINGS: dict[str, Any] = {
    "categorical": "category",  # dictionary<large_string>
    "str": "str",  # large_string
    "arrow_string_view": pd.ArrowDtype(pa.string_view()),
    "arrow_dictionary_string": pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string())),
}


def topics(values: list[str], dtype: Any = object) -> pd.DataFrame:
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_dictionary(dtype.pyarrow_dtype):
        array = pa.array(values, dtype.pyarrow_dtype.value_type).dictionary_encode()
        return pd.DataFrame({"topic": pd.arrays.ArrowExtensionArray(array)})
    return pd.DataFrame({"topic": pd.Series(values, dtype=dtype)})


def typed_topics(frame: pd.DataFrame) -> pa.Array:
    """The topic column as the generate stage receives it."""
    reader = open_input(frame, batch_size=100)
    mapping = TOPICS_SCHEMA.resolve(reader.columns, str(reader.path))
    (first_row, batch), = list(reader)
    return TOPICS_SCHEMA.typed(batch, mapping, str(reader.path), first_row)["topic"]


def nul_message(frame: pd.DataFrame) -> str:
    with pytest.raises(InputError) as caught:
        typed_topics(frame)
    return str(caught.value)


@pytest.mark.parametrize("dtype", list(ENCODINGS.values()), ids=list(ENCODINGS))
def test_encoded_text_is_trimmed_like_plain_text(dtype: Any) -> None:
    values = ["  padded  ", "coffee", "  padded  ", "\ttea\n"]
    plain = typed_topics(topics(values))
    encoded = typed_topics(topics(values, dtype))
    assert encoded.type == pa.string()
    assert encoded.to_pylist() == plain.to_pylist() == ["padded", "coffee", "padded", "tea"]


@pytest.mark.parametrize("dtype", list(ENCODINGS.values()), ids=list(ENCODINGS))
def test_encoded_text_with_nul_is_the_plain_text_error(dtype: Any) -> None:
    values = ["fine", "a\x00b", "fine"]
    message = nul_message(topics(values, dtype))
    assert message == nul_message(topics(values))
    assert message.startswith("<DataFrame>, row 2, column 'topic': the value contains a NUL byte")
    assert "\n" not in message


def test_a_categorical_with_a_nul_only_in_an_unused_category_passes() -> None:
    """Rows are checked, not categories: a category no row uses cannot fail the input."""
    frame = pd.DataFrame({"topic": pd.Categorical(["ok", None], categories=["ok", "x\x00"])})
    assert typed_topics(frame).to_pylist() == ["ok", None]


def test_categorical_numbers_are_cast_like_plain_numbers() -> None:
    batch = pa.record_batch({"topic": ["a", "b", "c"],
                             "variants": pa.array([" 2 ", "", " 1"]).dictionary_encode()})
    mapping = TOPICS_SCHEMA.resolve(batch.schema.names, "t")
    assert TOPICS_SCHEMA.typed(batch, mapping, "t", 1)["variants"].to_pylist() == [2, None, 1]


def test_enhance_scores_a_categorical_as_it_scores_plain_text() -> None:
    values = ["  padded post here  ", "coffee is good"]
    plain = fbopt.enhance(pd.DataFrame({"text": values})).output
    categorical = fbopt.enhance(pd.DataFrame({"text": pd.Categorical(values)})).output
    pd.testing.assert_frame_equal(categorical.drop(columns="text"), plain.drop(columns="text"))


def test_generate_from_a_dataframe_with_a_categorical_nul_raises_input_error() -> None:
    frame = pd.DataFrame({"topic": pd.Categorical(["coffee", "tea\x00"])})
    with pytest.raises(InputError, match=r"row 2, column 'topic': the value contains a NUL"):
        fbopt.generate(frame)


def test_cli_parquet_from_a_categorical_with_nul_is_exit_2_one_line(workdir: Path) -> None:
    frame = pd.DataFrame({"topic": pd.Categorical(["coffee", "tea\x00", "coffee"])})
    frame.to_parquet(workdir / "cat.parquet")
    result = CliRunner().invoke(cli, ["generate", "cat.parquet", "-o", "out.csv"])
    assert result.exit_code == 2, (result.stderr, result.exception)
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[0]] and lines[0].startswith(
        "error: cat.parquet, row 2, column 'topic': the value contains a NUL byte"), lines
    assert not (workdir / "out.csv").exists()
