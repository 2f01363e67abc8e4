"""The words generated rows are made of: names, schools, and phrasings of notes.

Pools rather than random text, so the notes read like a mentor's; enough of them that
pages and searches do not see one repeated sentence.
"""

from portal.mentoring.demo import data as demo

# The demo's mentors and site contacts, and more of them.
FIRST_NAMES = demo.FIRST_NAMES + [
    "Robin",
    "Alex",
    "Sam",
    "Chris",
    "Pat",
    "Jesse",
    "Kai",
    "Lee",
    "Terry",
    "Shawn",
]
# The demo's their family names, and more of them.
LAST_NAMES = demo.LAST_NAMES + [
    "Rivera",
    "Chen",
    "Hughes",
    "Price",
    "Ramos",
    "Reyes",
    "Ward",
    "Brooks",
    "Kelly",
    "Sanders",
    "Perry",
    "Long",
    "Ross",
    "Bell",
    "Cruz",
    "Ortiz",
    "Gomez",
    "Watson",
    "Bennett",
    "Wood",
]
# The demo's children: first names only, and more of them.
MENTEE_NAMES = demo.MENTEE_NAMES + [
    "Andre",
    "Briana",
    "Caleb",
    "Dalia",
    "Ethan",
    "Freya",
    "Gianna",
    "Hugo",
    "Imani",
    "Jonah",
    "Keisha",
    "Liam",
    "Marisol",
    "Nathan",
    "Oscar",
    "Priya",
]
INITIALS = "ABCDEFGHIJKLMNOPRSTVWY"
SITE_NAMES = [
    "Lincoln",
    "Roosevelt",
    "Washington",
    "Jefferson",
    "Madison",
    "Franklin",
    "Kennedy",
    "Garfield",
    "Hawthorne",
    "Whittier",
    "Longfellow",
    "Emerson",
    "Douglass",
    "Tubman",
    "Parks",
    "Chavez",
    "Addams",
    "Dewey",
    "Edison",
    "Irving",
    "Lowell",
    "Mann",
    "Audubon",
    "Banneker",
    "Carver",
    "Dunbar",
    "Holmes",
    "Jackson",
    "Keller",
    "Marshall",
    "Mitchell",
    "Nightingale",
    "Ochoa",
    "Pasteur",
    "Ride",
    "Sandburg",
    "Thoreau",
    "Twain",
    "Whitman",
    "Wright",
]
SITE_KINDS = ("Elementary", "Middle School", "Academy", "K-8 School")
STREETS = ("Maple Ave", "Harbor St", "Elm St", "Lakeview Dr", "Oak St", "Cedar Rd", "Park Blvd")
CONTACT_ROLES = ("School counselor", "Assistant principal", "Social worker", "Dean of students")
GRADES = ("K", "1", "2", "3", "4", "5", "6", "7", "8")
CLOSURE_REASONS = (
    "Family moved to another district",
    "Mentor's work schedule changed",
    "Mentee changed schools",
    "Mentor relocated",
    "Match goals reached at the end of the school year",
    "Family asked to end the match",
)

ACTIVITIES = (
    "We played a card game and talked about the weekend.",
    "Worked on reading together for most of the time.",
    "We shot hoops at recess and talked about friends at school.",
    "Did a drawing project together.",
    "Talked about goals for the semester and made a list.",
    "Played chess and went over a tricky math worksheet.",
    "Read a chapter book aloud, taking turns.",
    "Built a paper bridge for the science fair.",
    "Walked the track and talked about the upcoming holiday.",
    "Practiced spelling words with flash cards.",
    "Played a board game in the library.",
    "Worked on a letter to a grandparent.",
)
MOODS = (
    "{name} was in a good mood and laughed a lot.",
    "{name} was focused and proud of finishing.",
    "{name} seemed a little tired but opened up by the end.",
    "{name} was quieter than usual and did not want to talk about home.",
    "{name} was upbeat and full of questions.",
    "{name} was frustrated at first, then relaxed.",
    "{name} talked a lot about a new friend in class.",
    "{name} seemed distracted and kept looking at the clock.",
)
ABSENT_NOTES = {
    "mentee_absent": (
        "{name} was absent today; the office said they were out sick.",
        "{name} did not come to our meeting; the teacher said they left early.",
        "{name} was on a field trip, so we did not meet.",
    ),
    "mentor_absent": (
        "I was sick and could not make it this week.",
        "I had a work conflict and could not come; I let the school know.",
        "I was travelling this week and missed our meeting.",
    ),
    "cancelled": (
        "School was closed for a teacher in-service day.",
        "School closed for weather today.",
        "Our meeting was cancelled for a school assembly.",
    ),
}
CONCERNS = (
    "{name} had a bruise on the arm and said an older cousin grabbed them. "
    "I told the school counselor right away.",
    "{name} said they are often left alone at night and are scared. "
    "I reported it to the school site contact.",
    "{name} talked about someone at home who yells and throws things. "
    "I told the counselor before leaving.",
    "{name} said they have not eaten since yesterday lunch and looked unwell. "
    "I told the school nurse and the site contact.",
)
NEED_DETAILS = {
    "food": "{name} said there is not much food at home at the end of the month.",
    "shelter": "{name}'s family is staying with relatives after losing their apartment.",
    "clothing": "{name} has no winter coat and was cold at recess.",
    "household": "Their washing machine broke, so they wash clothes in the bathtub.",
    "health": "{name} needs glasses and squints at the board.",
    "school_supplies": "{name} needs a backpack and notebooks.",
    "other": "{name}'s family asked about help with the electricity bill.",
}
NEED_KINDS = tuple(NEED_DETAILS)
ACK_NOTES = (
    "Spoke with the family and the school nurse.",
    "Counselor met with the student the same day.",
    "Called the family; a follow-up visit is planned.",
)
OUTCOMES = (
    "School counselor followed up; no further action needed.",
    "Referred to child protective services; the school is following the case.",
    "Family connected with a community program; concern resolved.",
)
NO_SESSION_DETAILS = "Mentee's family was away for a funeral."
