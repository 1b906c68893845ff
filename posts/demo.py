"""Demo content for `manage.py load_demo`: a small journal-club series in our own words."""

SERIES = {
    "slug": "kmb-journal-club",
    "name": "KMb Journal Club",
    "description": (
        "The KMb Journal Club brings research on knowledge mobilization to the people who do "
        "it. Each month a guest reviewer picks an open-access article, explains it in plain "
        "words and leaves a few questions for knowledge brokers.\n\n"
        "**Join in:** read the article, come back to this page and add your experience under "
        "any of the questions. Practitioners, researchers and brokers are all welcome."
    ),
}

REVIEWS = [
    {
        "slug": "implementation-research-out-of-step-with-practice",
        "topics": ["Implementation science", "Child welfare"],
        "title": "Is implementation research out of step with implementation practice?",
        "published_days_ago": 3,
        "article": {
            "authors": "Metz, A., Jensen, T., Farley, A., & Boaz, A.",
            "year": 2022,
            "title": "Is implementation research out of step with implementation practice? "
            "Pathways to effective implementation support over the last decade",
            "journal": "Implementation Research and Practice",
            "volume": "3",
            "pages": "26334895221105585",
            "doi": "10.1177/26334895221105585",
            "url": "https://journals.sagepub.com/doi/10.1177/26334895221105585",
            "open_access": True,
        },
        "reviewer": {
            "name": "Joann Cattlin",
            "role": "PhD Student",
            "affiliation": "College of Global, Urban and Social Studies, RMIT University",
        },
        "standfirst": (
            "Seventeen experienced implementation support practitioners look back on fifteen "
            "years of changing how they work. What can researchers learn from them?"
        ),
        "background": (
            "People who support organisations to put evidence into practice (often called "
            "*implementation support practitioners*) build up a great deal of know-how, yet "
            "little of it reaches the research literature. The authors set out to trace how "
            "seasoned practitioners' approaches have changed, and what that says about "
            "effective and lasting support for services to children and families."
        ),
        "summary": (
            "The paper starts from a gap that many in the field have noticed but few have "
            "written down: research on implementation and the everyday practice of supporting "
            "it have drifted apart.\n\n"
            "Practitioners described a path that began with one-way training, moved towards "
            "strategies tailored to each setting, and arrived at solutions built together with "
            "the people who use them, grounded in trusting relationships. The authors end by "
            "asking researchers and practitioners to learn from each other in a continuing "
            "cycle, so that the science becomes both sounder and more useful."
        ),
        "commentary": (
            "The study draws on 17 semi-structured interviews with practitioners in the United "
            "States who work in child welfare, either in university implementation centres or "
            "in non-profit intermediary organisations. They reflect on roughly fifteen years of "
            "their own practice.\n\n"
            "Coming to implementation science from outside community organisations, I found "
            "the article a clear way into its main ideas and into what implementation "
            "professionals actually do day to day. It shows practitioners thinking carefully "
            "about their own work and adjusting it to what communities and organisations "
            "needed.\n\n"
            "The findings are organised in a framework that lines up the practitioners' methods "
            "with those described in implementation science. It made it easy to compare one "
            "participant's story with another's, and the authors are candid about accounts "
            "that do not fit it. The article does not propose it, but the same framework could "
            "underpin training or capability development for implementation professionals.\n\n"
            "Overall, practitioners changed their methods in response to community needs and to "
            "what worked, and they questioned practices such as scaling up through training "
            "programs rather than adopting them wholesale. The authors conclude that research "
            "may be lagging behind practice, and they call for practitioners' experience to be "
            "studied systematically."
        ),
        "findings": [
            "Practitioners reshaped their roles through experience, a growing understanding of "
            "implementation practice, and evaluation of what their methods achieved.",
            "Three broad approaches to implementation support emerged: *push*, *push/pull* and "
            "*co-creation*.",
            "Practitioners relied on technical skills (working with data, running improvement "
            "cycles) as much as on interpersonal ones (building relationships); both could "
            "shape capacity-building programs.",
        ],
        "questions": [
            "The study looked at implementation professionals in the United States. Do its "
            "findings match what you see in other sectors and countries? Would they transfer?",
            "How could implementation science draw more effectively on what implementation "
            "professionals learn in their work?",
            "If implementation science needs to get better at implementation itself, what "
            "stands in the way?",
        ],
    },
    {
        "slug": "why-policymakers-use-or-ignore-evidence",
        "topics": ["Evidence use", "Policy"],
        "synthesis": (
            "Brokers kept coming back to **relationships**: the barriers in the review were "
            "familiar, but what helped in practice was a named person on each side who "
            "answered the phone. Several asked for shorter, earlier summaries rather than "
            "longer reports."
        ),
        "title": "Why policymakers use evidence, or don't",
        "published_days_ago": 35,
        "article": {
            "authors": "Oliver, K., Innvar, S., Lorenc, T., Woodman, J., & Thomas, J.",
            "year": 2014,
            "title": "A systematic review of barriers to and facilitators of the use of "
            "evidence by policymakers",
            "journal": "BMC Health Services Research",
            "volume": "14",
            "pages": "2",
            "doi": "10.1186/1472-6963-14-2",
            "url": "https://bmchealthservres.biomedcentral.com/articles/10.1186/1472-6963-14-2",
            "open_access": True,
        },
        "reviewer": {
            "name": "Priya Raman",
            "role": "Knowledge Mobilization Lead",
            "affiliation": "Lakeside Community Health Network (demo)",
        },
        "standfirst": (
            "A systematic review of what helps and hinders evidence use in policy, read by a "
            "broker who spends her days between researchers and decision makers."
        ),
        "background": (
            "Calls for evidence-informed policy are everywhere, but what actually makes "
            "policymakers reach for research? The authors pooled studies on the question to "
            "find the barriers and facilitators reported most often."
        ),
        "summary": (
            "Across the studies reviewed, the factors mentioned most were about people and "
            "access rather than about the research itself: whether policymakers could get hold "
            "of timely, relevant work, and whether they had relationships with researchers "
            "they trusted."
        ),
        "commentary": (
            "This is a review I return to whenever someone asks why a well-made policy brief "
            "went unread. Its strength is breadth; its weakness, which the authors admit, is "
            "that most included studies rely on what people say they do.\n\n"
            "For brokers, the message is encouraging: contact and collaboration, which we can "
            "influence, matter as much as the quality of the evidence."
        ),
        "findings": [
            "Timely access to good-quality, relevant research was the most reported facilitator.",
            "Collaboration and relationships between researchers and policymakers came next.",
            "Few studies looked at policy outcomes; most described perceptions of evidence use.",
        ],
        "questions": [
            "Which of these barriers do you meet most often in your own work?",
            "What has helped you build trust with decision makers over time?",
        ],
    },
    {
        "slug": "a-shared-vocabulary-for-implementation-strategies",
        "topics": ["Implementation science"],
        "title": "A shared vocabulary for implementation strategies",
        "published_days_ago": 70,
        "article": {
            "authors": "Powell, B. J., Waltz, T. J., Chinman, M. J., Damschroder, L. J., "
            "Smith, J. L., Matthieu, M. M., Proctor, E. K., & Kirchner, J. E.",
            "year": 2015,
            "title": "A refined compilation of implementation strategies: results from the "
            "Expert Recommendations for Implementing Change (ERIC) project",
            "journal": "Implementation Science",
            "volume": "10",
            "pages": "21",
            "doi": "10.1186/s13012-015-0209-1",
            "url": "https://implementationscience.biomedcentral.com/articles/10.1186/s13012-015-0209-1",
            "open_access": True,
        },
        "reviewer": {
            "name": "Marcus Lindqvist",
            "role": "Research Officer",
            "affiliation": "Northern Evidence Partnership (demo)",
        },
        "standfirst": (
            "The ERIC compilation gave the field a common list of implementation strategies. "
            "Does a shared vocabulary help brokers plan their work?"
        ),
        "background": (
            "Researchers and practitioners described the same strategies with different words, "
            "which made studies hard to compare. The ERIC project asked a panel of experts to "
            "agree on names and definitions."
        ),
        "summary": (
            "Through a structured consensus process, experts refined an earlier list into 73 "
            "discrete implementation strategies, each with a short definition."
        ),
        "commentary": (
            "A list is not a plan, and the authors do not claim otherwise. Still, having names "
            "for what we do makes it far easier to describe our work to funders and to learn "
            "from each other."
        ),
        "findings": [
            "The panel agreed on 73 discrete implementation strategies.",
            "Each strategy has a name and a working definition that others can reuse.",
        ],
        "questions": [
            "Do you use the ERIC strategy names when you plan or report your work?",
            "Which strategies that you rely on are missing from the list?",
        ],
    },
]

# Members of the demo discussion: (username, display name, affiliation, role)
MEMBERS = [
    ("amara", "Amara Okafor", "Provincial Health Services Authority (demo)", "broker"),
    ("luc", "Luc Tremblay", "Université de Montréal (demo)", "researcher"),
    ("hannah", "Hannah Becker", "Family Services Network (demo)", "practitioner"),
    ("sanjay", "Sanjay Mehta", "Community Data Collaborative (demo)", "broker"),
]

# The demo discussion on the first review: (key, question number, parent key, author, text).
DISCUSSION = [
    (
        "a1",
        1,
        None,
        "amara",
        "Very much so in health. Our knowledge brokers moved from running workshops to sitting "
        "with teams while they redesign a service, which is the *co-creation* end of the "
        "authors' framework. What I'm less sure about is the funding: US intermediaries seem to "
        "have longer contracts than we usually get.",
    ),
    (
        "a2",
        1,
        "a1",
        "luc",
        "The funding point matters. In Quebec most of our implementation support is paid per "
        "project, so the relationship ends just when trust is built. Has anyone found a way "
        "to keep relationships going between grants?",
    ),
    (
        "a3",
        1,
        "a2",
        "amara",
        "We keep a small *community of practice* running on core funds. It is cheap and it "
        "means the next project doesn't start from zero.",
    ),
    (
        "a4",
        1,
        "a3",
        "hannah",
        "Same in child welfare here. A monthly call with the same people did more for uptake "
        "than any of our toolkits.",
    ),
    (
        "b1",
        2,
        None,
        "sanjay",
        "Practitioners write things down all the time: debriefs, improvement-cycle notes, "
        "reports to funders. Researchers rarely see them. A shared, anonymised repository "
        "would be a start.",
    ),
    (
        "b2",
        2,
        "b1",
        "luc",
        "I'd add practitioners as co-authors from the start, not as interviewees at the end. "
        "The paper itself is a good example: it is written with people who do the work.",
    ),
    (
        "c1",
        3,
        None,
        "hannah",
        "Timelines. Our services change in weeks; a study takes years to report. By the time "
        "the evidence arrives the question has moved on.",
    ),
]

# The demo flag: a member thinks a comment strays from the question.
FLAGGED_COMMENT_START = "I'd add practitioners as co-authors"
FLAGGED_BY = "hannah"
FLAG_NOTE = "This is about authorship, not about drawing on practitioners' experience."

# The first review in French, linked to it as its translation: both versions show the same
# discussion. Its article, reviewer, topics and date are the original's. French typography:
# a narrow no-break space (U+202F) before ? ! ; and :.
FRENCH_REVIEW = {
    "language": "fr",
    "slug": "la-recherche-sur-la-mise-en-oeuvre-en-decalage-avec-la-pratique",
    "translation_of": "implementation-research-out-of-step-with-practice",
    "title": "La recherche sur la mise en œuvre est-elle en décalage avec la pratique ?",
    "standfirst": (
        "Dix-sept praticiennes et praticiens chevronnés du soutien à la mise en œuvre "
        "reviennent sur quinze ans d’évolution de leur travail. Qu’en retenir pour la "
        "recherche ?"
    ),
    "background": (
        "Les personnes qui aident les organisations à mettre en pratique les données probantes "
        "(on parle souvent de *praticiens du soutien à la mise en œuvre*) accumulent un grand "
        "savoir-faire, mais celui-ci parvient rarement jusqu’à la littérature scientifique. "
        "Les autrices et auteurs ont voulu retracer l’évolution des approches de praticiens "
        "d’expérience et ce qu’elle révèle d’un soutien efficace et durable aux services à "
        "l’enfance et à la famille."
    ),
    "summary": (
        "L’article part d’un écart que beaucoup ont remarqué sans l’écrire : la recherche sur "
        "la mise en œuvre et la pratique quotidienne du soutien se sont éloignées l’une de "
        "l’autre.\n\n"
        "Les praticiens décrivent un parcours qui commence par une formation à sens unique, "
        "passe par des stratégies adaptées à chaque milieu et aboutit à des solutions "
        "construites avec les personnes qui les utilisent, fondées sur des relations de "
        "confiance. Les auteurs invitent enfin chercheurs et praticiens à apprendre les uns "
        "des autres dans un cycle continu, pour une science à la fois plus solide et plus "
        "utile."
    ),
    "commentary": (
        "L’étude repose sur 17 entrevues semi-dirigées avec des praticiens des États-Unis qui "
        "travaillent en protection de l’enfance, dans des centres universitaires de mise en "
        "œuvre ou dans des organismes intermédiaires sans but lucratif. Ils reviennent sur "
        "une quinzaine d’années de leur propre pratique.\n\n"
        "Venant à la science de la mise en œuvre de l’extérieur des organismes "
        "communautaires, j’ai trouvé dans cet article une porte d’entrée claire vers ses "
        "idées principales et vers le travail quotidien des professionnels de la mise en "
        "œuvre.\n\n"
        "Les résultats sont organisés dans un cadre qui met en regard les méthodes des "
        "praticiens et celles que décrit la science de la mise en œuvre. Ce cadre pourrait "
        "aussi servir à la formation des professionnels, même si l’article ne le propose "
        "pas.\n\n"
        "En somme, les praticiens ont fait évoluer leurs méthodes selon les besoins des "
        "communautés et ce qui fonctionnait. Les auteurs concluent que la recherche est "
        "peut-être en retard sur la pratique et demandent que l’expérience des praticiens "
        "soit étudiée de façon systématique."
    ),
    "findings": [
        "Les praticiens ont redéfini leur rôle grâce à l’expérience, à une meilleure "
        "compréhension de la mise en œuvre et à l’évaluation de ce que leurs méthodes "
        "produisaient.",
        "Trois grandes approches du soutien à la mise en œuvre se dégagent : *pousser*, "
        "*pousser-tirer* et *co-création*.",
        "Les praticiens s’appuyaient autant sur des compétences techniques (travail avec les "
        "données, cycles d’amélioration) que relationnelles (bâtir des relations) ; les deux "
        "pourraient orienter les programmes de renforcement des capacités.",
    ],
    "questions": [
        "L’étude porte sur des professionnels de la mise en œuvre aux États-Unis. Ses "
        "résultats correspondent-ils à ce que vous voyez dans d’autres secteurs et d’autres "
        "pays ? Seraient-ils transposables ?",
        "Comment la science de la mise en œuvre pourrait-elle mieux tirer parti de ce que "
        "les professionnels apprennent dans leur travail ?",
        "Si la science de la mise en œuvre doit elle-même s’améliorer en mise en œuvre, "
        "qu’est-ce qui fait obstacle ?",
    ],
}
