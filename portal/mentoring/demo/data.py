"""What the demo program is made of: its schools, people and the words of its entries.

Fixed text only, so that the demo reads the same on every machine; demo/people.py,
demo/sessions.py and demo/records.py turn it into records.
"""

from portal.mentoring.models import Attendance, ResourceNeedKind

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 (the published demo password)
STAFF_EMAIL = "staff@example.org"
SITE_CONTACT_EMAIL = "site@example.org"
MAIN_MENTOR_EMAIL = "mentor@example.org"

SITES = [
    (
        "Lincoln Elementary",
        "1200 Maple Ave",
        "Dana Whitfield",
        "School counselor",
        "site@example.org",
        "(312) 555-0141",
    ),
    (
        "Roosevelt Middle School",
        "88 Harbor St",
        "Marcus Hill",
        "Assistant principal",
        "mhill@roosevelt.example.org",
        "(312) 555-0177",
    ),
    (
        "Washington Elementary",
        "450 Elm St",
        "Priya Natarajan",
        "Social worker",
        "pnatarajan@washington.example.org",
        "(312) 555-0122",
    ),
    (
        "Jefferson Academy",
        "9 Lakeview Dr",
        "Tom Baker",
        "Dean of students",
        "tbaker@jefferson.example.org",
        "(312) 555-0190",
    ),
]

FIRST_NAMES = [
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Avery",
    "Quinn",
    "Jamie",
    "Drew",
    "Reese",
    "Parker",
    "Rowan",
    "Skyler",
    "Emerson",
    "Hayden",
    "Logan",
    "Peyton",
    "Cameron",
    "Dakota",
    "Elliot",
    "Finley",
    "Harper",
    "Kendall",
    "Lane",
    "Micah",
    "Noel",
    "Oakley",
    "Payton",
    "Remy",
    "Sage",
    "Tatum",
    "Val",
    "Wren",
    "Blair",
    "Charlie",
    "Devon",
    "Ellis",
    "Frankie",
    "Gray",
    "Hollis",
]
LAST_NAMES = [
    "Nguyen",
    "Patel",
    "Garcia",
    "Johnson",
    "Kim",
    "Okafor",
    "Smith",
    "Brown",
    "Lopez",
    "Cohen",
    "Murphy",
    "Singh",
    "Walker",
    "Young",
    "Adams",
    "Baker",
    "Clark",
    "Diaz",
    "Evans",
    "Foster",
]
MENTEE_NAMES = [
    "Aiden",
    "Bella",
    "Carlos",
    "Destiny",
    "Elijah",
    "Fatima",
    "Gabriel",
    "Hana",
    "Isaiah",
    "Jasmine",
    "Kevin",
    "Luna",
    "Mateo",
    "Nia",
    "Omar",
    "Paige",
    "Rafael",
    "Sofia",
    "Tyrese",
    "Uma",
    "Victor",
    "Willow",
    "Xavier",
    "Yara",
    "Zion",
    "Amara",
    "Brandon",
    "Chloe",
    "Diego",
    "Emma",
    "Felix",
    "Grace",
    "Hector",
    "Ivy",
    "Jayden",
    "Kiara",
    "Leo",
    "Maya",
    "Noah",
    "Olivia",
]

MET_NOTES = [
    "We played a card game and talked about the weekend. {name} was in a good mood and "
    "laughed a lot.",
    "Worked on reading together for most of the time. {name} was focused and proud of "
    "finishing a chapter.",
    "We shot hoops at recess and talked about friends at school. {name} seemed a little "
    "tired but opened up by the end.",
    "Did a drawing project. {name} was quieter than usual and didn't want to talk much about home.",
    "Talked about goals for the semester and made a list together. {name} was upbeat.",
    "Played chess. {name} is getting better and was excited to win a game.",
]
ABSENT_NOTES = {
    Attendance.MENTEE_ABSENT: "{name} was absent today; the office said they were out sick.",
    Attendance.MENTOR_ABSENT: "I was sick and could not make it this week.",
    Attendance.CANCELLED: "School was closed for a teacher in-service day.",
}
CONCERN = (
    "{name} had a bruise on the arm and said an older cousin grabbed them. "
    "I told the school counselor right away."
)
NEED_NOTES = {
    ResourceNeedKind.FOOD: "{name} said there is not much food at home at the end of the month.",
    ResourceNeedKind.CLOTHING: "{name} has no winter coat and was cold at recess.",
    ResourceNeedKind.HOUSEHOLD: "Their washing machine broke, so they wash clothes in the bathtub.",
    ResourceNeedKind.SCHOOL_SUPPLIES: "{name} needs a backpack and notebooks.",
}
