"""Seeded synthetic stand-ins for IMDB reviews and DialogSum dialogues (the `tiny` profile).

They have the real datasets' splits and columns, and enough variety that a model has to learn
something: the test splits use sentence and dialogue templates that never occur in training, so a
classifier must learn sentiment words and a summarizer must copy facts, not memorise templates.
"""

import random
import re

REVIEW_SPLITS = {"train": 600, "test": 400, "unsupervised": 200}
DIALOGUE_SPLITS = {"train": 600, "validation": 100, "test": 100}  # test: 100 dialogues, each in 3 rows
TEST_REFERENCES = 3  # like DialogSum's test split: each dialogue three times, with three people's summaries

# ---------------------------------------------------------------- movie reviews

POSITIVE = ["wonderful", "brilliant", "moving", "charming", "superb", "delightful", "gripping", "beautiful",
            "funny", "clever", "touching", "outstanding", "excellent", "fresh", "powerful", "lovely"]
NEGATIVE = ["dull", "boring", "clumsy", "awful", "tedious", "predictable", "weak", "messy", "lifeless",
            "terrible", "forgettable", "annoying", "poor", "silly", "flat", "painful"]
ASPECTS = ["acting", "plot", "soundtrack", "dialogue", "camera work", "ending", "pacing", "main character",
           "script", "direction", "cast", "editing", "story", "humour", "music", "lead actor"]
GENRES = ["thriller", "comedy", "drama", "western", "romance", "horror film", "documentary", "musical",
          "crime story", "war film", "family film", "science fiction film"]
TITLE_WORDS_A = ["Silent", "Last", "Golden", "Broken", "Hidden", "Red", "Distant", "Frozen", "Wild", "Lost",
                 "Midnight", "Iron", "Paper", "Crystal", "Secret", "Burning"]
TITLE_WORDS_B = ["Harbor", "Summer", "River", "Garden", "Letter", "Road", "Kingdom", "Train", "Promise",
                 "Island", "Mirror", "Forest", "Station", "Window", "Voyage", "Crown"]
RATINGS = {"pos": ["8/10", "9/10", "10/10", "a strong recommendation"],
           "neg": ["2/10", "3/10", "1/10", "a hard pass"]}

# Templates that carry sentiment; train and test never share one.
OPINION_TEMPLATES = {
    "train": ["The {aspect} was {adj}.", "I found the {aspect} {adj}.", "{title} is a {adj} {genre}.",
              "What a {adj} {genre}!", "Honestly, the {aspect} felt {adj} from start to finish.",
              "The {aspect} is {adj} and the {aspect2} is {adj2}.", "A {adj} {genre} with a {adj2} {aspect}.",
              "Overall I would call it {adj}."],
    "test": ["Everything about the {aspect} seemed {adj} to me.", "My verdict on {title}: {adj}.",
             "It is hard to describe how {adj} the {aspect} is.", "This {genre} left me thinking it was {adj}.",
             "Both the {aspect} and the {aspect2} struck me as {adj}."],
}
VERDICT_TEMPLATES = {"train": ["My rating: {rating}.", "{rating} from me."],
                     "test": ["Final score: {rating}.", "I give it {rating}."]}
FILLER = ["I watched it on a rainy Sunday.", "My brother recommended it to me.", "It runs a little over two hours.",
          "I saw it in a small cinema downtown.", "The film was released last year.",
          "We watched it with the whole family.", "I had not read the book before.",
          "The trailer had made me curious.", "It was shown at a festival in the autumn.",
          "Some scenes were filmed in an old castle.", "The director made two films before this one.",
          "I went in knowing nothing about it."]
# Sentences a person may add that go against their overall verdict, so that one word never decides.
CONCESSIONS = ["Still, the {aspect} was {opp}.", "The {aspect} was {opp}, I admit."]


def _articles(text):
    """'a outstanding' -> 'an outstanding'."""
    return re.sub(r"\b([Aa]) (?=[aeiou])", lambda m: m.group(1) + "n ", text)


def _review_sentences(rng, label, templates):
    kind = "pos" if label == 1 else "neg"
    words, opposite = (POSITIVE, NEGATIVE) if label == 1 else (NEGATIVE, POSITIVE)
    title = f"The {rng.choice(TITLE_WORDS_A)} {rng.choice(TITLE_WORDS_B)}"

    def fill(template, adj_pool):
        aspect, aspect2 = rng.sample(ASPECTS, 2)
        return _articles(template.format(aspect=aspect, aspect2=aspect2, adj=rng.choice(adj_pool), adj2=rng.choice(adj_pool),
                               title=title, genre=rng.choice(GENRES), rating=rng.choice(RATINGS[kind]),
                               opp=rng.choice(opposite)))

    # Most reviews are short; a few are very long, like IMDB's long tail (it matters for padding).
    n_opinions = rng.choice([1, 1, 2, 2, 2, 3, 3, 4]) if rng.random() > 0.1 else rng.randint(8, 16)
    n_filler = rng.randint(0, 3) if n_opinions < 8 else rng.randint(4, 10)
    sentences = [fill(rng.choice(OPINION_TEMPLATES[templates]), words) for _ in range(n_opinions)]
    sentences += rng.sample(FILLER, min(n_filler, len(FILLER)))
    if rng.random() < 0.3:
        sentences.append(fill(rng.choice(CONCESSIONS), words))
    rng.shuffle(sentences)
    if rng.random() < 0.5:
        sentences.append(fill(rng.choice(VERDICT_TEMPLATES[templates]), words))
    return sentences


def make_review(rng, label, templates="train"):
    sentences = _review_sentences(rng, label, templates)
    text = " ".join(sentences)
    if len(sentences) > 5 and rng.random() < 0.5:  # IMDB's paragraph breaks
        cut = len(sentences) // 2
        text = " ".join(sentences[:cut]) + "<br /><br />" + " ".join(sentences[cut:])
    return text


def make_reviews(seed=0, sizes=REVIEW_SPLITS):
    """{split: {"text": [...], "label": [...]}} with balanced labels (1 = pos, 0 = neg; -1 unlabelled)."""
    rng = random.Random(seed)
    splits = {}
    for split, n in sizes.items():
        templates = "test" if split == "test" else "train"
        labels = [i % 2 for i in range(n)]
        rng.shuffle(labels)
        texts = [make_review(rng, label, templates) for label in labels]
        splits[split] = {"text": texts, "label": [-1] * n if split == "unsupervised" else labels}
    return splits


# ---------------------------------------------------------------- dialogues

ITEMS = ["jacket", "lamp", "bicycle", "laptop", "pair of shoes", "umbrella", "backpack", "watch", "sofa", "camera"]
COLORS = ["red", "blue", "black", "green", "white", "brown", "grey", "yellow"]
CITIES = ["Boston", "Paris", "Berlin", "Tokyo", "Madrid", "Chicago", "Dublin", "Rome", "Toronto", "Sydney"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TIMES = ["seven", "eight", "nine", "ten", "six", "five", "noon"]
SYMPTOMS = ["a headache", "a sore throat", "a cough", "a fever", "back pain", "a stomach ache"]
ADVICE = ["rest at home", "drink more water", "take the medicine twice a day", "come back next week",
          "stay away from work"]
JOBS = ["an accountant", "a designer", "a nurse", "an engineer", "a teacher", "a sales manager", "a cook"]
PLACES = ["the library", "the cafe", "the park", "the station", "the museum", "the office", "the gym"]
ACTIVITIES = ["play tennis", "see a film", "study together", "have lunch", "go shopping", "visit a gallery"]
LOST_THINGS = ["wallet", "keys", "phone", "passport", "glasses", "notebook"]
SMALL_TALK = [("How are you today?", "Fine, thanks."), ("Nice weather, isn't it?", "Yes, it is lovely."),
              ("Sorry to bother you.", "No problem at all."), ("Do you have a minute?", "Sure, go ahead.")]

# Each topic: slot sampler, dialogue templates (train/test never share one), reference summary.
TOPICS = {
    "shopping": {
        "slots": lambda r: {"item": r.choice(ITEMS), "color": r.choice(COLORS), "price": r.randint(2, 40) * 5,
                            "decision": r.choice(["buys it", "decides not to buy it"])},
        "train": [["Can I help you?", "Yes, I am looking for a {color} {item}.", "This one costs {price} dollars.",
                   "{decision_line}"],
                  ["I would like to buy a {item}.", "What color do you want?", "A {color} one, please.",
                   "That will be {price} dollars.", "{decision_line}"]],
        "test": [["Excuse me, do you sell a {color} {item}?", "We do. The price is {price} dollars.",
                  "{decision_line}"]],
        "lines": {"train": {"buys it": "Great, I will take it.", "decides not to buy it": "Hmm, that is too much for me."},
                  "test": {"buys it": "Perfect, I'll buy it.", "decides not to buy it": "No thanks, that's over my budget."}},
        "summary": "#Person1# wants to buy a {color} {item}. It costs {price} dollars and #Person1# {decision}.",
        "other_summaries": ['#Person1# looks for a {color} {item} priced at {price} dollars and {decision}.', 'A {color} {item} costs {price} dollars; #Person1# {decision}.'],
    },
    "restaurant": {
        "slots": lambda r: {"n": r.choice(["two", "three", "four", "five", "six"]), "time": r.choice(TIMES),
                            "day": r.choice(DAYS)},
        "train": [["I would like to book a table.", "For how many people?", "For {n} people.", "And when?",
                   "On {day} at {time}.", "Fine, your table is booked."],
                  ["Do you have a table for {n} on {day}?", "What time would you like?", "At {time}, please.",
                   "No problem, see you then."]],
        "test": [["Could I reserve a table at {time} on {day}?", "Certainly. How many guests?",
                  "We will be {n}.", "Done, thank you."]],
        "summary": "#Person1# books a table for {n} people on {day} at {time}.",
        "other_summaries": ['#Person1# reserves a table for {n} at {time} on {day}.', "#Person2# takes #Person1#'s booking: {n} people, {day}, {time}."],
    },
    "doctor": {
        "slots": lambda r: {"symptom": r.choice(SYMPTOMS), "days": r.choice(["two", "three", "four", "five"]),
                            "advice": r.choice(ADVICE)},
        "train": [["What seems to be the problem?", "I have had {symptom} for {days} days.",
                   "I think you should {advice}.", "Thank you, doctor."],
                  ["Doctor, I have {symptom}.", "How long have you had it?", "For {days} days now.",
                   "Then you should {advice}."]],
        "test": [["It's been {days} days with {symptom}, doctor.", "I see. My advice is to {advice}.",
                  "All right, I will."]],
        "summary": "#Person1# has had {symptom} for {days} days. #Person2# tells #Person1# to {advice}.",
        "other_summaries": ['#Person1# sees the doctor about {symptom} of {days} days and is told to {advice}.', 'The doctor advises #Person1#, who has had {symptom} for {days} days, to {advice}.'],
    },
    "travel": {
        "slots": lambda r: {"city": r.choice(CITIES), "day": r.choice(DAYS), "time": r.choice(TIMES)},
        "train": [["I need a ticket to {city}.", "When do you want to travel?", "On {day}.",
                   "The train leaves at {time}."],
                  ["Is there a train to {city} on {day}?", "Yes, there is one at {time}.",
                   "Good, one ticket please."]],
        "test": [["What time does the {day} train to {city} depart?", "It departs at {time}.",
                  "Then I will take that one."]],
        "summary": "#Person1# buys a train ticket to {city} for {day}. The train leaves at {time}.",
        "other_summaries": ['#Person1# gets a ticket to {city} on {day}; the train departs at {time}.', '#Person1# will take the {time} train to {city} on {day}.'],
    },
    "job interview": {
        "slots": lambda r: {"job": r.choice(JOBS), "years": r.choice(["two", "three", "five", "ten"])},
        "train": [["Why do you want to work here as {job}?", "I love this kind of work.",
                   "How much experience do you have?", "I have {years} years of experience."],
                  ["Tell me about yourself.", "I have worked as {job} for {years} years.",
                   "Good, we need another {job}."]],
        "test": [["So you are applying to join us as {job}?", "Yes, after {years} years doing the same job elsewhere.",
                  "Impressive."]],
        "summary": "#Person1# interviews #Person2# for a job as {job}. #Person2# has {years} years of experience.",
        "other_summaries": ['#Person2# applies to work as {job} and has {years} years of experience.', 'In a job interview #Person2#, {job} for {years} years, talks with #Person1#.'],
    },
    "plans": {
        "slots": lambda r: {"place": r.choice(PLACES), "day": r.choice(DAYS), "activity": r.choice(ACTIVITIES)},
        "train": [["Shall we {activity} on {day}?", "Good idea. Where shall we meet?", "At {place}.",
                   "See you there."],
                  ["Are you free on {day}?", "Yes, why?", "Let's {activity}.", "OK, let's meet at {place}."]],
        "test": [["Do you fancy meeting at {place} to {activity}?", "Sure, when?", "This {day}.", "Perfect."]],
        "summary": "#Person1# and #Person2# will meet at {place} on {day} to {activity}.",
        "other_summaries": ['#Person1# and #Person2# plan to {activity} at {place} on {day}.', 'On {day} the two will meet at {place} and {activity}.'],
    },
    "lost item": {
        "slots": lambda r: {"thing": r.choice(LOST_THINGS), "place": r.choice(PLACES)},
        "train": [["I think I lost my {thing}.", "Where did you last see it?", "At {place}.",
                   "Let's call {place} and ask."],
                  ["Have you seen my {thing}?", "No. Did you leave it at {place}?", "Maybe, I was there this morning."]],
        "test": [["My {thing} is gone!", "Calm down. Were you at {place} today?", "Yes, it must be there."]],
        "summary": "#Person1# lost a {thing}, probably at {place}.",
        "other_summaries": ["#Person1# can't find a {thing} and thinks it is at {place}.", "#Person1#'s {thing} is missing; it may be at {place}."],
    },
}


def make_dialogue(rng, topic, templates="train"):
    spec = TOPICS[topic]
    slots = spec["slots"](rng)
    if "lines" in spec:
        slots["decision_line"] = spec["lines"][templates][slots["decision"]]
    turns = [t.format(**slots) for t in rng.choice(spec[templates])]
    if rng.random() < 0.4:
        turns = list(rng.choice(SMALL_TALK)) + turns
    if rng.random() < 0.3:
        turns += ["Thanks a lot.", "You're welcome."]
    dialogue = "\n".join(f"#Person{1 + i % 2}#: {turn}" for i, turn in enumerate(turns))
    summaries = [t.format(**slots) for t in [spec["summary"], *spec["other_summaries"]]]
    return dialogue, summaries


def make_dialogues(seed=0, sizes=DIALOGUE_SPLITS):
    """{split: {"id", "dialogue", "summary", "topic"}} like knkarthick/dialogsum.

    As in DialogSum, the test split lists each dialogue TEST_REFERENCES times, ids test_<i>_1, test_<i>_2, ...,
    each time with another person's summary; the other splits have one row (and one summary) per dialogue.
    """
    rng = random.Random(seed + 1)
    names = list(TOPICS)
    splits = {}
    for split, n in sizes.items():
        templates = "train" if split == "train" else "test"
        rows = {"id": [], "dialogue": [], "summary": [], "topic": []}
        for i in range(n):
            topic = names[i % len(names)] if i < len(names) else rng.choice(names)
            dialogue, summaries = make_dialogue(rng, topic, templates)
            references = summaries[:TEST_REFERENCES] if split == "test" else summaries[:1]
            for k, summary in enumerate(references, start=1):
                rows["id"].append(f"{split}_{i}_{k}" if split == "test" else f"{split}_{i}")
                rows["dialogue"].append(dialogue)
                rows["summary"].append(summary)
                rows["topic"].append(topic)
        splits[split] = rows
    return splits


# ---------------------------------------------------------------- general text for pretraining

CAPITALS = {"France": "Paris", "Germany": "Berlin", "Italy": "Rome", "Spain": "Madrid", "Japan": "Tokyo",
            "Ireland": "Dublin", "Canada": "Ottawa", "Egypt": "Cairo"}
PROFESSIONS = ["data scientist", "teacher", "doctor", "engineer", "student", "writer", "nurse", "farmer"]
ANIMALS = {"dog": "barks", "cat": "meows", "cow": "moos", "duck": "quacks", "lion": "roars", "bird": "sings"}
PET_WALKS = ["in the park", "along the river", "every morning", "after work", "in the rain", "on the beach",
             "through the forest", "around the lake"]


def make_general_text(seed=0, n=1500):
    """Short encyclopedia-like sentences: facts, two senses of 'bank', professions, animals, dog walks."""
    rng = random.Random(seed + 2)
    makers = [
        lambda: "{c} is the capital of {k}.".format(k=(k := rng.choice(list(CAPITALS))), c=CAPITALS[k]),
        lambda: "The capital of {k} is {c}.".format(k=(k := rng.choice(list(CAPITALS))), c=CAPITALS[k]),
        lambda: "I am a {p}.".format(p=rng.choice(PROFESSIONS)),
        lambda: "She works as a {p} in {c}.".format(p=rng.choice(PROFESSIONS), c=rng.choice(CITIES)),
        lambda: "The {a} {s}.".format(a=(a := rng.choice(list(ANIMALS))), s=ANIMALS[a]),
        lambda: "I enjoy walking with my cute {a} {w}.".format(a=rng.choice(["dog", "dog", "cat"]),
                                                               w=rng.choice(PET_WALKS)),
        lambda: rng.choice(["We sat on the bank of the river.", "The river bank was covered in grass.",
                            "Fish swam near the muddy bank.", "They walked along the river bank at dawn."]),
        lambda: rng.choice(["I opened an account at the bank.", "The bank lent him money for a house.",
                            "She deposited her salary at the bank.", "The bank raised its interest rates."]),
        lambda: "The {c} sky was {col} that evening.".format(c=rng.choice(["clear", "cloudy", "stormy"]),
                                                             col=rng.choice(COLORS)),
    ]
    return [rng.choice(makers)() for _ in range(n)]
