"""Layer 1: reading one value as referrals write it, from the data under rules/.

- `kinds`      what sort of value a field holds (text, date, number, choice, …)
- `text`       folding text for matching, reading numbers and dates; FormValueError
- `lexicon`    spellings -> values, ambiguous spellings, near-miss suggestions
- `vocabulary` the diagnosis vocabulary file (vocabulary.yaml)
- `labs`       lab values with units and the lab's upper limit of normal
- `book`       the value-spellings file (values.yaml): every field's reader, ranges and units

Nothing here knows the patient form, the rules or how results are shown: the form (layer 2)
gives a field's name and kind, and gets back its value or a FormValueError that says, in both
languages, what is wrong and what is allowed.
"""
