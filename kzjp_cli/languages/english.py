"""English: Whoosh's tokenizer and Porter stems (``store.analysis``), sumy's stop words, topic word lists."""

from __future__ import annotations

from kzjp_cli.languages.base import Language, TopicWords

TOPICS = TopicWords(
    titles=frozenset(
        """president vice prime minister deputy emperor empress king queen prince princess governor mayor chairman
        chairwoman chair ceo director secretary general ambassador senator mr mrs ms dr prof foreign head spokesman
        spokeswoman representative leader sheikh pope chancellor premier""".split()
    ),
    generic=frozenset(
        """said says say told noted added stated according also new well many much more most other others
        one two three four five six seven eight nine ten first second third last next year years month months
        week weeks day days today time times way part number percent per cent including include includes
        important particular various several major key main wide wider broader further greater greatest
        current currently recent recently already still even within without across among toward towards
        amid beyond alongside since while though although however thus therefore meanwhile
        mr mrs ms dr according people thing things lot lots kind side sides area areas level levels
        january february march april may june july august september october november december
        monday tuesday wednesday thursday friday saturday sunday
        held hold holds met meet meets made make makes took take takes gave give gives came come comes went go goes
        became become began begin led lead leads saw see sees found find finds brought bring left kept keep sent
        send set put got get paid pay won win lost lose ran run stood spoke speak wrote write grew grow grows rose
        rise rises fell fall falls built build sold sell bought buy drew flew chose spent struck meant felt heard
        thought understood""".split()
    ),
    conjunction="and",
    modifier=r"(?:ly|ing|ed|al|ic|ive|ous|ful|less|able|ible)$",
    connectors=frozenset({"of", "for", "de"}),
    possessive=True,
)

ENGLISH = Language(
    "en",
    "English",
    "en",
    "latin",
    analysis="english",
    sumy="english",  # its abbreviations are the shared list in ``sentences.ABBREVIATIONS``
    topics=TOPICS,
)
