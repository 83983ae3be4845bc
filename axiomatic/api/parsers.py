"""The JSON parser of every endpoint, with a bound on nesting.

No request of the contract nests more than a few levels (an invoice's lines, a share link's
parameters). A body of 1,000 nested arrays is 2 KB, well under the size limit, yet it sends the
standard library's decoder past Python's recursion limit: a RecursionError, which the stock parser
does not catch (a 500). Here a body nested deeper than MAX_JSON_DEPTH is a 400 in the one error
shape, whether the decoder gave up or the parsed value is merely too deep.
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32
TOO_DEEP = f"JSON parse error - the body is nested more than {MAX_JSON_DEPTH} levels deep."


def nesting_depth_exceeds(value, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether lists and objects in `value` nest deeper than `limit` (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if nesting_depth_exceeds(data):
            raise ParseError(TOO_DEEP)
        return data
